"""Legacy `app.db` files built in tests from the legacy system's schema (its SQLAlchemy models, as SQLite
creates them: UUID text keys, floats for money, `order` as a column name), with tasks of our own."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

LEGACY_SCHEMA = """
CREATE TABLE tasks (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    excel_file_path VARCHAR(500),
    system_requirements TEXT,
    status VARCHAR(20),
    error_message TEXT,
    result_file_path VARCHAR(500),
    created_at DATETIME DEFAULT (CURRENT_TIMESTAMP),
    updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP)
);
CREATE TABLE deliverables (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    task_id VARCHAR(36) NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    description TEXT
);
CREATE TABLE qa_pairs (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    task_id VARCHAR(36) NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answer TEXT,
    "order" INTEGER NOT NULL
);
CREATE TABLE estimates (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    task_id VARCHAR(36) NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    deliverable_name VARCHAR(200) NOT NULL,
    deliverable_description TEXT,
    person_days FLOAT NOT NULL,
    amount FLOAT NOT NULL,
    reasoning TEXT,
    reasoning_breakdown TEXT,
    reasoning_notes TEXT
);
CREATE TABLE messages (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    task_id VARCHAR(36) NOT NULL,
    role VARCHAR(20) NOT NULL,
    content TEXT NOT NULL,
    created_at DATETIME DEFAULT (CURRENT_TIMESTAMP)
);
"""


@dataclass
class LegacyTask:
    requirements: str = ""
    file_path: str = ""
    status: str = "completed"
    created_at: str = "2025-06-01 09:30:00"
    deliverables: list[tuple[str, str]] = field(default_factory=list)
    qa: list[tuple[str, str | None]] = field(default_factory=list)
    estimates: list[tuple[str, str, float, float, str]] = field(default_factory=list)
    messages: list[tuple[str, str]] = field(default_factory=list)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def legacy_db(path: Path, tasks: list[LegacyTask]) -> Path:
    with sqlite3.connect(path) as connection:
        connection.executescript(LEGACY_SCHEMA)
        for task in tasks:
            connection.execute(
                "INSERT INTO tasks (id, excel_file_path, system_requirements, status, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (task.id, task.file_path, task.requirements, task.status, task.created_at),
            )
            for name, description in task.deliverables:
                connection.execute(
                    "INSERT INTO deliverables VALUES (?, ?, ?, ?)", (str(uuid.uuid4()), task.id, name, description)
                )
            for order, (question, answer) in enumerate(task.qa, start=1):
                connection.execute(
                    'INSERT INTO qa_pairs (id, task_id, question, answer, "order") VALUES (?, ?, ?, ?, ?)',
                    (str(uuid.uuid4()), task.id, question, answer, order),
                )
            for name, description, days, amount, reasoning in task.estimates:
                connection.execute(
                    "INSERT INTO estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (str(uuid.uuid4()), task.id, name, description, days, amount, reasoning, "", ""),
                )
            for role, content in task.messages:
                connection.execute(
                    "INSERT INTO messages (id, task_id, role, content) VALUES (?, ?, ?, ?)",
                    (str(uuid.uuid4()), task.id, role, content),
                )
    return path


def japanese_task() -> LegacyTask:
    """The legacy sample's kind of task: floats that are not all person-days × 40,000 exactly."""
    return LegacyTask(
        requirements="社内向け受発注システム",
        file_path="uploads/2f0c8a9e-legacy/legacy_sample_input.xlsx",
        deliverables=[
            ("要件定義書", "システム全体の要件を定義"),
            ("ログイン画面", "ID/パスワード認証"),
            ("結合テスト", ""),
        ],
        qa=[("対応ブラウザは？", "Chrome と Edge"), ("SSOは必要？", None)],
        estimates=[
            ("要件定義書", "システム全体の要件を定義", 5.0, 200000.0, "要件の整理"),
            (
                "ログイン画面",
                "ID/パスワード認証",
                3.3 * 0.9,
                3.3 * 0.9 * 40000,
                "画面1つ",
            ),  # a legacy 10 % cut, in floats
            ("結合テスト", "", 4.25, 170000.0, ""),
        ],
        messages=[("user", "あと10万円安く"), ("assistant", "案を作りました"), ("agent", "調整しました")],
    )


def english_task() -> LegacyTask:
    return LegacyTask(
        requirements="Customer portal",
        deliverables=[("Login screen", "Email and password"), ("User manual", "")],
        qa=[("Which browsers?", "Chrome")],
        estimates=[
            ("Login screen", "Email and password", 2.5, 100000.0, "one screen"),
            ("User manual", "", 1.0, 40000.0, ""),
        ],
        created_at="2025-07-01 10:00:00",
    )
