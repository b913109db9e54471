-- MergeXO state.db schema, current version (tables and indexes).
-- Dumped verbatim, in creation order, from the sqlite_master of /work/shared/fixtures/small.db, a file
-- written by MergeXO's own writer code (its StateStore creates these with CREATE ... IF NOT EXISTS and
-- adds later columns with ALTER TABLE ... ADD COLUMN, which is why pr_feedback_state has two columns
-- appended on one line). sqlite_sequence is left out: SQLite creates it with the first AUTOINCREMENT
-- table. Executing this file yields a database whose `.schema` is identical to the fixture's.
-- Do not reformat: the text is stored as-is in sqlite_master and tests compare it.
CREATE TABLE issue_runs (
                    repo_full_name TEXT NOT NULL,
                    issue_number INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    branch TEXT,
                    pr_number INTEGER,
                    pr_url TEXT,
                    error TEXT,
                    github_state TEXT NULL,
                    last_failure_class TEXT NULL,
                    retry_count INTEGER NOT NULL DEFAULT 0,
                    next_retry_at TEXT NULL,
                    active_run_id TEXT NULL,
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
                    last_checkpoint_sha TEXT NULL,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, issue_number)
                );
CREATE TABLE issue_comment_cursors (
                    repo_full_name TEXT NOT NULL,
                    issue_number INTEGER NOT NULL,
                    pre_pr_last_consumed_comment_id INTEGER NOT NULL DEFAULT 0,
                    post_pr_last_redirected_comment_id INTEGER NOT NULL DEFAULT 0,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, issue_number)
                );
CREATE TABLE issue_takeover_state (
                    repo_full_name TEXT NOT NULL,
                    issue_number INTEGER NOT NULL,
                    ignore_active INTEGER NOT NULL DEFAULT 0,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, issue_number)
                );
CREATE TABLE github_comment_poll_cursors (
                    repo_full_name TEXT NOT NULL,
                    surface TEXT NOT NULL,
                    scope_number INTEGER NOT NULL,
                    last_updated_at TEXT NOT NULL,
                    last_comment_id INTEGER NOT NULL,
                    bootstrap_complete INTEGER NOT NULL DEFAULT 0,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, surface, scope_number)
                );
CREATE TABLE agent_sessions (
                    repo_full_name TEXT NOT NULL,
                    issue_number INTEGER NOT NULL,
                    adapter TEXT NOT NULL,
                    thread_id TEXT,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, issue_number)
                );
CREATE TABLE action_tokens (
                    repo_full_name TEXT NOT NULL,
                    token TEXT NOT NULL,
                    scope_kind TEXT NOT NULL,
                    scope_number INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempt_count INTEGER NOT NULL DEFAULT 0,
                    observed_comment_id INTEGER NULL,
                    observed_updated_at TEXT NULL,
                    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, token)
                );
CREATE INDEX idx_action_tokens_scope_status
                ON action_tokens(repo_full_name, scope_kind, scope_number, status)
                ;
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
                    active_run_id TEXT NULL,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), takeover_review_floor_comment_id INTEGER NOT NULL DEFAULT 0, takeover_issue_floor_comment_id INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (repo_full_name, pr_number)
                );
CREATE TABLE pr_flake_state (
                    repo_full_name TEXT NOT NULL,
                    pr_number INTEGER NOT NULL,
                    issue_number INTEGER NOT NULL,
                    head_sha TEXT NOT NULL,
                    run_id INTEGER NOT NULL,
                    initial_run_updated_at TEXT NOT NULL,
                    status TEXT NOT NULL,
                    flake_issue_number INTEGER NOT NULL,
                    flake_issue_url TEXT NOT NULL,
                    report_title TEXT NOT NULL,
                    report_summary TEXT NOT NULL,
                    report_excerpt TEXT NOT NULL,
                    full_log_context_markdown TEXT NOT NULL,
                    rerun_requested_at TEXT NULL,
                    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
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
CREATE TABLE agent_run_history (
                    run_id TEXT PRIMARY KEY,
                    repo_full_name TEXT NOT NULL,
                    run_kind TEXT NOT NULL,
                    issue_number INTEGER NOT NULL,
                    pr_number INTEGER NULL,
                    flow TEXT NULL,
                    branch TEXT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT NULL,
                    terminal_status TEXT NULL,
                    failure_class TEXT NULL,
                    error TEXT NULL,
                    duration_seconds REAL NULL,
                    meta_json TEXT NOT NULL DEFAULT '{}'
                );
CREATE INDEX idx_agent_run_history_repo_finished
                ON agent_run_history(repo_full_name, finished_at)
                ;
CREATE INDEX idx_agent_run_history_repo_started
                ON agent_run_history(repo_full_name, started_at)
                ;
CREATE INDEX idx_agent_run_history_repo_status_started
                ON agent_run_history(repo_full_name, terminal_status, started_at)
                ;
CREATE TABLE pr_status_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    repo_full_name TEXT NOT NULL,
                    pr_number INTEGER NOT NULL,
                    issue_number INTEGER NOT NULL,
                    from_status TEXT NULL,
                    to_status TEXT NOT NULL,
                    reason TEXT NULL,
                    detail TEXT NULL,
                    changed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                );
CREATE INDEX idx_pr_status_history_repo_pr_changed
                ON pr_status_history(repo_full_name, pr_number, changed_at)
                ;
CREATE INDEX idx_pr_status_history_repo_changed
                ON pr_status_history(repo_full_name, changed_at)
                ;
CREATE TABLE github_call_outbox (
                    call_id INTEGER PRIMARY KEY AUTOINCREMENT,
                    repo_full_name TEXT NOT NULL,
                    call_kind TEXT NOT NULL,
                    dedupe_key TEXT NOT NULL,
                    payload_json TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    state_applied INTEGER NOT NULL DEFAULT 0,
                    attempt_count INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT NULL,
                    result_json TEXT NULL,
                    run_id TEXT NULL,
                    issue_number INTEGER NULL,
                    branch TEXT NULL,
                    pr_number INTEGER NULL,
                    claimed_at TEXT NULL,
                    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    UNIQUE (repo_full_name, dedupe_key)
                );
CREATE INDEX idx_github_call_outbox_replay
                ON github_call_outbox(
                    repo_full_name,
                    call_kind,
                    status,
                    state_applied,
                    created_at
                )
                ;
CREATE INDEX idx_github_call_outbox_run
                ON github_call_outbox(repo_full_name, run_id)
                ;
CREATE TABLE roadmap_state (
                    repo_full_name TEXT NOT NULL,
                    roadmap_issue_number INTEGER NOT NULL,
                    roadmap_pr_number INTEGER NULL,
                    roadmap_doc_path TEXT NOT NULL,
                    graph_path TEXT NOT NULL,
                    graph_checksum TEXT NOT NULL,
                    graph_version INTEGER NOT NULL DEFAULT 1,
                    status TEXT NOT NULL,
                    adjustment_state TEXT NOT NULL DEFAULT 'idle',
                    adjustment_claim_token TEXT NULL,
                    adjustment_started_at TEXT NULL,
                    adjustment_request_version INTEGER NULL,
                    pending_revision_pr_number INTEGER NULL,
                    pending_revision_pr_url TEXT NULL,
                    pending_revision_head_sha TEXT NULL,
                    last_adjustment_basis_digest TEXT NULL,
                    parent_roadmap_issue_number INTEGER NULL,
                    superseding_roadmap_issue_number INTEGER NULL,
                    revision_requested_at TEXT NULL,
                    last_error TEXT NULL,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, roadmap_issue_number)
                );
CREATE INDEX idx_roadmap_state_status
                ON roadmap_state(repo_full_name, status, updated_at)
                ;
CREATE TABLE roadmap_nodes (
                    repo_full_name TEXT NOT NULL,
                    roadmap_issue_number INTEGER NOT NULL,
                    node_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body_markdown TEXT NOT NULL,
                    dependencies_json TEXT NOT NULL,
                    introduced_in_version INTEGER NOT NULL DEFAULT 1,
                    retired_in_version INTEGER NULL,
                    is_active INTEGER NOT NULL DEFAULT 1,
                    child_issue_number INTEGER NULL,
                    child_issue_url TEXT NULL,
                    status TEXT NOT NULL,
                    planned_at TEXT NULL,
                    implemented_at TEXT NULL,
                    status_changed_at TEXT NULL,
                    last_progress_at TEXT NULL,
                    blocked_since_at TEXT NULL,
                    claim_token TEXT NULL,
                    claim_started_at TEXT NULL,
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, roadmap_issue_number, node_id)
                );
CREATE INDEX idx_roadmap_nodes_status
                ON roadmap_nodes(repo_full_name, roadmap_issue_number, is_active, status, updated_at)
                ;
CREATE INDEX idx_roadmap_nodes_child_issue
                ON roadmap_nodes(repo_full_name, child_issue_number)
                ;
CREATE TABLE roadmap_revisions (
                    repo_full_name TEXT NOT NULL,
                    roadmap_issue_number INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    roadmap_pr_number INTEGER NULL,
                    roadmap_doc_path TEXT NOT NULL,
                    graph_path TEXT NOT NULL,
                    graph_checksum TEXT NOT NULL,
                    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, roadmap_issue_number, version)
                );
CREATE TABLE roadmap_revision_drafts (
                    repo_full_name TEXT NOT NULL,
                    roadmap_issue_number INTEGER NOT NULL,
                    request_version INTEGER NOT NULL,
                    summary TEXT NOT NULL,
                    details TEXT NOT NULL,
                    updated_roadmap_markdown TEXT NOT NULL,
                    updated_canonical_graph_json TEXT NOT NULL,
                    source_kind TEXT NOT NULL,
                    ready_node_ids_json TEXT NULL,
                    request_reason TEXT NULL,
                    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                    PRIMARY KEY (repo_full_name, roadmap_issue_number)
                );
