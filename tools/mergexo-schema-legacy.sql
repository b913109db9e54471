-- MergeXO state.db schema written by an older MergeXO, before run history existed: no
-- agent_run_history, pr_status_history, takeover, poll-cursor, action-token, flake, outbox or roadmap
-- tables, and fewer columns (no issue_runs.github_state, active_run_id, ...; no
-- pre_pr_followup_state.last_checkpoint_sha; no pr_feedback_state.active_run_id).
-- Dumped verbatim, in creation order, from the sqlite_master of /work/shared/fixtures/legacy.db, a file
-- written by MergeXO's own writer code. Do not reformat.
CREATE TABLE issue_comment_cursors (
    repo_full_name TEXT NOT NULL,
    issue_number INTEGER NOT NULL,
    pre_pr_last_consumed_comment_id INTEGER NOT NULL DEFAULT 0,
    post_pr_last_redirected_comment_id INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (repo_full_name, issue_number)
);
CREATE TABLE issue_runs (
    repo_full_name TEXT NOT NULL,
    issue_number INTEGER NOT NULL,
    status TEXT NOT NULL,
    branch TEXT,
    pr_number INTEGER,
    pr_url TEXT,
    error TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (repo_full_name, issue_number)
);
CREATE TABLE pre_pr_followup_state (
    repo_full_name TEXT NOT NULL,
    issue_number INTEGER NOT NULL,
    flow TEXT NOT NULL,
    branch TEXT NOT NULL,
    context_json TEXT NOT NULL,
    waiting_reason TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (repo_full_name, issue_number)
);
CREATE TABLE agent_sessions (
    repo_full_name TEXT NOT NULL,
    issue_number INTEGER NOT NULL,
    adapter TEXT NOT NULL,
    thread_id TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (repo_full_name, issue_number)
);
CREATE TABLE feedback_events (
    repo_full_name TEXT NOT NULL,
    event_key TEXT NOT NULL,
    pr_number INTEGER NOT NULL,
    issue_number INTEGER NOT NULL,
    kind TEXT NOT NULL,
    comment_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    processed_at TEXT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (repo_full_name, event_key)
);
CREATE TABLE pr_feedback_state (
    repo_full_name TEXT NOT NULL,
    pr_number INTEGER NOT NULL,
    issue_number INTEGER NOT NULL,
    branch TEXT NOT NULL,
    status TEXT NOT NULL,
    last_seen_head_sha TEXT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (repo_full_name, pr_number)
);
CREATE TABLE operator_commands (
    repo_full_name TEXT NOT NULL,
    command_key TEXT NOT NULL,
    issue_number INTEGER NOT NULL,
    pr_number INTEGER NULL,
    comment_id INTEGER NOT NULL,
    author_login TEXT NOT NULL,
    command TEXT NOT NULL,
    args_json TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (repo_full_name, command_key)
);
CREATE TABLE runtime_operations (
    op_name TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    request_command_key TEXT NOT NULL,
    request_repo_full_name TEXT NOT NULL,
    mode TEXT NOT NULL,
    detail TEXT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
