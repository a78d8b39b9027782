// Generated from openapi.json by `npm run gen:api` (scripts/gen-api.mjs). Do not edit.
// Regenerate both with ../../scripts/gen-api.sh after changing the API.

export interface paths {
    "/api/admin/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every agent, enabled or not, whatever its source. */
        get: operations["admin_list_agents"];
        put?: never;
        /**
         * Creates an agent in the database (the body has the agents.yaml shape). An enabled agent's
         *     connection is tested first; when the test fails it is saved disabled unless `force=true`.
         */
        post: operations["create_agent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/agents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One agent. */
        get: operations["admin_get_agent"];
        /**
         * Replaces an agent's definition; for a file agent this stores an override. An `api_key`
         *     that is absent or `********` keeps the current key. Tested like a new agent.
         */
        put: operations["put_agent"];
        post?: never;
        /**
         * Deletes a database agent; an override's deletion brings back the file's definition. A file
         *     agent cannot be deleted here.
         */
        delete: operations["delete_agent"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/agents/{id}/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Which groups may use an agent. */
        get: operations["get_agent_access"];
        /**
         * Restricts an agent to some groups, or (an empty list) makes it available to everyone;
         *     in force at once on every replica.
         */
        put: operations["put_agent_access"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/agents/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sends a minimal real request to the agent's provider (no retries, no fallbacks) and reports
         *     how long the first event took, or the upstream's error.
         */
        post: operations["test_agent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/agents/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The models a provider offers (OpenAI-compatible `GET /models`, Anthropic's model list),
         *     for picking an agent's model.
         */
        post: operations["list_provider_models"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first. */
        get: operations["list_audit_entries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/budgets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every budget of users and groups. */
        get: operations["list_budgets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/budgets/{scope}/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Sets the budget of a user (their own use) or of a group (its members' use together).
         *     With both limits `null` the budget is removed.
         */
        put: operations["put_budget"];
        post?: never;
        /** Removes the budget of a user or a group. */
        delete: operations["delete_budget"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every group, by name, with its member count and the agents it grants. */
        get: operations["list_groups"];
        put?: never;
        /** Creates a group. */
        post: operations["create_group"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A group with its members. */
        get: operations["get_group"];
        put?: never;
        post?: never;
        /**
         * Deletes a group and its memberships. Refused while an agent is restricted to this group
         *     alone (deleting it would open the agent to everyone): change the agent's access first.
         */
        delete: operations["delete_group"];
        options?: never;
        head?: never;
        /** Renames a group or changes its description. */
        patch: operations["patch_group"];
        trace?: never;
    };
    "/api/admin/groups/{id}/members/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Adds a user to a group (no change when they are a member already). */
        put: operations["add_member"];
        post?: never;
        /** Removes a user from a group. */
        delete: operations["remove_member"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Invitations, newest first. */
        get: operations["list_invitations"];
        put?: never;
        /** Creates a single-use invitation to register (in any mode but `closed`). */
        post: operations["create_invitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/invitations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revokes an invitation that has not been used. */
        delete: operations["revoke_invitation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/lifecycle": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the data lifecycle would delete now (a dry run). */
        get: operations["preview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/lifecycle/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Runs the data lifecycle now (it also runs every hour). */
        post: operations["run_now"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/prices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The price table. */
        get: operations["list_prices"];
        /** Sets the price of a model (requests from now on are charged at it). */
        put: operations["put_price"];
        post?: never;
        /** Removes a model's price (its requests cost nothing from now on). */
        delete: operations["delete_price"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Settings that admins change here, and where each comes from. */
        get: operations["get_settings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Changes settings at once, on every replica (kept in the database; they win over the
         *     configuration until reset with `null`).
         */
        patch: operations["patch_settings"];
        trace?: never;
    };
    "/api/admin/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The admin dashboard: users, conversations, messages, tokens and messages per day, top
         *     agents, provider share, error rate and p95 time to first token.
         */
        get: operations["get_admin_stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everyone's usage grouped by user, agent or day, with time-to-first-token figures. */
        get: operations["get_admin_usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users, oldest first, optionally filtered. */
        get: operations["list_users"];
        put?: never;
        /** Creates a user with a role. */
        post: operations["create_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Deletes a user (soft: the row stays for the audit trail, the name is freed). The last
         *     active admin cannot be deleted.
         */
        delete: operations["delete_user"];
        options?: never;
        head?: never;
        /**
         * Changes a user's role, disables or enables them, or resets their password. The last
         *     active admin cannot be demoted or disabled.
         */
        patch: operations["update_user"];
        trace?: never;
    };
    "/api/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The agents the caller may use. */
        get: operations["list_agents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/agents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One agent the caller may use. */
        get: operations["get_agent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/agents/{id}/init": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What a new conversation with the agent shows: the welcome text, suggested questions and
         *     the input variables form — from FastGPT's init or Dify's parameters for app agents (the
         *     agent's own `welcome`/`suggested_questions` fill in or override), from the configuration
         *     for the others.
         */
        get: operations["agent_init"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/agents/reload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Re-reads the agents file, validates it and swaps the agents in at once (as SIGHUP does).
         *     An invalid file is refused with every problem listed, and the running agents stay.
         *     Requests already running keep the agents they started with.
         */
        post: operations["reload_agents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * All of the caller's data in one `.zip`: `account.json` (profile, groups, custom
         *     instructions, API keys without secrets, presets, share links), each conversation as
         *     `conversations/<id>.json` (every message, branches included) and `.md` (the branch shown),
         *     and the uploaded files under `uploads/`.
         */
        get: operations["export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Signs in with username (or email) and password. */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ends the session of the refresh token (body or cookie) and clears the cookie. */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ends every session of the signed-in user, this one included: their refresh tokens and the
         *     access tokens already issued to them stop working at once. Clears the cookie.
         */
        post: operations["logout_everywhere"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user. */
        get: operations["me"];
        put?: never;
        post?: never;
        /**
         * Asks for the account's deletion: its API keys and other sessions end now, and after
         *     `auth.deletion_grace` (7 days) everything of it is deleted for good unless its owner signs
         *     in and cancels. With a grace of 0 it is deleted at once (204).
         */
        delete: operations["delete_account"];
        options?: never;
        head?: never;
        /** Changes the signed-in user's custom instructions. */
        patch: operations["patch_me"];
        trace?: never;
    };
    "/api/auth/me/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancels a scheduled deletion of the caller's account. */
        post: operations["cancel_deletion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/oidc/{provider}/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the provider sends the browser back: signs in and redirects into the app. */
        get: operations["callback"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/oidc/{provider}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Starts signing in with the provider: redirects to its sign-in page. */
        get: operations["start"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Changes the password and signs out every other session of the user; with
         *     `revoke_api_keys`, also revokes every API key of the user.
         */
        post: operations["change_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchanges a refresh token (body or cookie) for a new pair. Each refresh token works once;
         *     presenting a used one revokes its whole family (every token descended from that login).
         */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Creates an account (when registration is open, or with an invitation) and signs it in.
         *     In development the first account becomes the administrator while none exists.
         */
        post: operations["register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/registration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The registration mode and what a newcomer should be told. */
        get: operations["registration_info"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's identity as the credentials establish it. */
        get: operations["session"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/config/reload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Re-reads the configuration files, the environment layers and the agents; applies what can
         *     change without a restart (agents, rate limits, auth limits and registration, log level,
         *     CORS origins, trusted proxies, the metrics token) and lists what needs one. Admins only (an
         *     admin's API key works, for scripts).
         */
        post: operations["reload_config"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's conversations, most recently active first. */
        get: operations["list_conversations"];
        put?: never;
        /** Starts a conversation with an agent the caller may use. */
        post: operations["create_conversation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of the caller's conversations. */
        get: operations["get_conversation"];
        put?: never;
        post?: never;
        /** Deletes the conversation and all its messages. */
        delete: operations["delete_conversation"];
        options?: never;
        head?: never;
        /** Renames, pins, archives, moves to another agent, or switches branch. */
        patch: operations["update_conversation"];
        trace?: never;
    };
    "/api/conversations/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The branch shown, as a Markdown document or as JSON, for download. */
        get: operations["export_conversation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The messages of the branch shown (or, with `all=true`, every message). */
        get: operations["list_messages"];
        put?: never;
        /**
         * Sends a message and streams the answer (`text/event-stream`; see the `*Event` schemas), or
         *     with `stream: false` returns the finished answer. The answer is generated and saved even
         *     if the client goes away.
         */
        post: operations["send_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{id}/shares": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The links made to one of the caller's conversations, newest first. */
        get: operations["list_conversation_shares"];
        put?: never;
        /**
         * Shares a snapshot of the conversation's branch as it is now (an answer still being
         *     written is left out).
         */
        post: operations["create_share"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stops the running turn; what was generated is saved with status `stopped`. */
        post: operations["stop_turn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/conversations/{id}/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Reattaches to the conversation's running turn: after the `Last-Event-ID` event when given
         *     (no gap, no duplicate), else from its first event; replays the last turn while it is still
         *     held; 204 when there is nothing.
         */
        get: operations["attach_stream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Overall health: `ok`, `degraded` (Redis down) or `down` (database down or schema missing). */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health/database": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Database connection pool and latency; 503 when the database is unreachable. */
        get: operations["database"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: 200 while the process serves requests; checks no dependency. */
        get: operations["live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness: 200 once migrations are done and the database answers; 503 before, while the
         *     database is unreachable, and from the moment shutdown begins.
         */
        get: operations["ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's keys that are not revoked, newest first. */
        get: operations["list_keys"];
        put?: never;
        /** Creates a key that acts as the caller. The key is in the response once, never again. */
        post: operations["create_key"];
        /**
         * Revokes every key of the caller (after a leak, or with a password change); they stop
         *     working at once on every replica.
         */
        delete: operations["revoke_all_keys"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revokes one of the caller's keys; it stops working at once on this instance and within
         *     a second on the others.
         */
        delete: operations["revoke_key"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/messages/{id}/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rates an answer (`up`, `down`, or null to withdraw), forwarded to FastGPT and Dify apps. */
        post: operations["rate_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/messages/{id}/regenerate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A new answer to the same question, beside the existing ones (`id` may be the answer or the
         *     question).
         */
        post: operations["regenerate_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document. */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/presets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The presets the caller may pick, by title. */
        get: operations["list_presets"];
        put?: never;
        /** Saves a preset: the caller's own, or (admins, `shared`) one for everyone using an agent. */
        post: operations["create_preset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/presets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Deletes a preset. */
        delete: operations["delete_preset"];
        options?: never;
        head?: never;
        /** Changes a preset's title or text. */
        patch: operations["update_preset"];
        trace?: never;
    };
    "/api/shared/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What a share link shows. No sign-in needed, unless the link is for members only (then 401
         *     without valid credentials). Unknown, revoked and expired links are all 404.
         */
        get: operations["open_share"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/shares": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every link the caller made (the latest 500), newest first. */
        get: operations["list_shares"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/shares/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revokes one of the caller's links: it stops opening at once. */
        delete: operations["revoke_share"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's uploads, newest first (without their bytes). */
        get: operations["list_uploads"];
        put?: never;
        /**
         * Uploads an image (PNG, JPEG, WebP, GIF) or a UTF-8 text file (.txt, .md, .csv, .json) to
         *     attach to messages. The type is checked by content, not just by name.
         */
        post: operations["create_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The file's bytes, with its type; only for its owner. */
        get: operations["get_upload"];
        put?: never;
        post?: never;
        /** Deletes one of the caller's uploads. */
        delete: operations["delete_upload"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/uploads/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How much of the upload quota the caller uses. */
        get: operations["upload_usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's own usage per day and agent. */
        get: operations["get_usage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/usage/budgets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The budgets that apply to the signed-in user, and what is left of each. */
        get: operations["my_budgets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/version": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Version and build facts. */
        get: operations["version"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus text exposition: HTTP, process and build metrics. */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A chat completion from the agent named by `model`, whatever its provider: a
         *     `chat.completion`, or with `stream: true` a `text/event-stream` of `chat.completion.chunk`s
         *     ending in `data: [DONE]` (with a usage chunk first when `stream_options.include_usage`).
         *     `tools`, `tool_choice` and `response_format` reach OpenAI-compatible agents as given and
         *     are translated for Anthropic ones; other agents answer 400 to tools.
         */
        post: operations["create_chat_completion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A message from the agent named by `model`, whatever its provider: a `message`, or with
         *     `stream: true` the event stream (`message_start`, content blocks, `message_delta`,
         *     `message_stop`). Client `tools` reach Anthropic agents as given and are translated for
         *     OpenAI-compatible ones; other agents answer 400 to tools.
         */
        post: operations["create_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The agents the caller (its API key) may use, as models: `id` is the agent id. With an
         *     `anthropic-version` header the list is in Anthropic's shape.
         */
        get: operations["list_models"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AdminAgentList: {
            items: components["schemas"]["AdminAgentView"][];
        };
        /** @description An agent as admins see it: the whole definition, with the provider key masked. */
        AdminAgentView: components["schemas"]["AgentView"] & {
            connection_test?: components["schemas"]["ConnectionTest"] | null;
            /** @description The definition as in agents.yaml; `provider.api_key` is `********` when set. */
            definition: components["schemas"]["AgentDef"];
            /** @description A database agent that replaces the file's agent of the same id. */
            overrides_file: boolean;
            /** @description `file`, `builtin` or `database`. */
            source: components["schemas"]["AgentSource"];
        };
        /** @description `GET /api/admin/stats`. */
        AdminStats: {
            /**
             * Format: int64
             * @description Conversations in total.
             */
            conversations: number;
            /** @description Oldest first, one entry per day (zeros included), today last. */
            daily: components["schemas"]["DayStats"][];
            /**
             * Format: int64
             * @description Days in `daily` and the window of `top_agents` and `providers`.
             */
            days: number;
            generated_at: string;
            last_7d: components["schemas"]["RecentHealth"];
            last_24h: components["schemas"]["RecentHealth"];
            /**
             * Format: int64
             * @description Messages in total.
             */
            messages: number;
            /** @description Most requests first. */
            providers: components["schemas"]["ProviderShare"][];
            top_agents: components["schemas"]["TopAgents"];
            /** @description The IANA time zone of the days. */
            tz: string;
            users: components["schemas"]["UserCounts"];
        };
        /** @description `GET /api/admin/usage`. */
        AdminUsageReport: {
            from: string;
            group_by: components["schemas"]["GroupBy"];
            /** @description Days oldest first; users and agents by requests, most first. */
            items: components["schemas"]["UsageGroup"][];
            to: string;
            totals: components["schemas"]["UsageTotals"];
            tz: string;
        };
        /** @description Which groups may use an agent. */
        AgentAccess: {
            agent_id: string;
            /**
             * @description Empty: everyone who may see the agent; otherwise only these groups' members (and
             *     admins).
             */
            groups: components["schemas"]["GroupRef"][];
        };
        AgentAccessRequest: {
            /** @description Group ids; an empty list makes the agent available to everyone again. */
            groups: string[];
        };
        /** @description One agent as configured. */
        AgentDef: {
            /** @description An emoji or an image URL. */
            avatar?: string | null;
            capabilities?: components["schemas"]["Capability"][];
            /**
             * Format: uint32
             * @description Tokens of history the platform may send.
             */
            context_window?: number | null;
            description?: string;
            enabled?: boolean;
            /** @description Agents tried in order when this one fails before its first token. */
            fallbacks?: string[];
            /** @description `[a-z0-9-_.]`, unique. */
            id: string;
            limits?: components["schemas"]["AgentLimits"] | null;
            /** Format: uint32 */
            max_tokens?: number | null;
            name: string;
            provider: components["schemas"]["ProviderDef"];
            /** @description Questions offered on a new conversation. */
            suggested_questions?: string[];
            system_prompt?: string | null;
            /**
             * Format: float
             * @description 0 is a valid value.
             */
            temperature?: number | null;
            /** @description Roles that may use it. */
            visible_to?: components["schemas"]["Role"][];
            /** @description Shown on a new conversation (app agents bring their own; this fills in or overrides). */
            welcome?: string | null;
        };
        AgentLimits: {
            /** Format: uint32 */
            requests_per_minute?: number | null;
            /** Format: uint32 */
            tokens_per_minute?: number | null;
        };
        AgentList: {
            items: components["schemas"]["AgentView"][];
        };
        /**
         * @description Where an agent's definition came from.
         * @enum {string}
         */
        AgentSource: "file" | "builtin" | "database";
        /** @description One agent's requests and tokens over the window. */
        AgentStats: {
            agent_id: string;
            /** Format: int64 */
            requests: number;
            /** Format: int64 */
            tokens: number;
        };
        /** @description An agent as the caller may see it. */
        AgentView: {
            /** @description An emoji or an image URL. */
            avatar?: string | null;
            capabilities: components["schemas"]["Capability"][];
            description: string;
            enabled: boolean;
            id: string;
            name: string;
            provider: components["schemas"]["ProviderKind"];
        };
        /** @description Anthropic's error document. */
        AnthropicError: {
            error: components["schemas"]["AnthropicErrorBody"];
            request_id?: string | null;
            /** @description Always `error`. */
            type: string;
        };
        AnthropicErrorBody: {
            message: string;
            /**
             * @description `invalid_request_error`, `authentication_error`, `permission_error`,
             *     `not_found_error`, `request_too_large`, `rate_limit_error`, `api_error` or
             *     `overloaded_error`.
             */
            type: string;
        };
        AnthropicMessage: {
            /** @description A string, or `text`, `image`, `tool_use` and `tool_result` blocks. */
            content: components["schemas"]["TextOrParts"];
            role: components["schemas"]["AnthropicRole"];
        };
        /** @enum {string} */
        AnthropicRole: "user" | "assistant";
        AnthropicTool: {
            description?: string | null;
            input_schema: Record<string, never>;
            name: string;
            /** @description Absent or `custom` for client tools; server tools (`web_search_…`) are not supported. */
            type?: string | null;
        };
        ApiKeyView: {
            allowed_agents?: string[] | null;
            created_at: string;
            expires_at?: string | null;
            id: string;
            last_used_at?: string | null;
            name: string;
            /** @description The first characters of the key, to recognise it. */
            prefix: string;
            /** @description `["chat"]`, or `["chat", "admin"]` for a key that may use the admin API. */
            scopes: components["schemas"]["Scope"][];
        };
        /** @description What an app shows before the first message (FastGPT `core/chat/init`, Dify `parameters`). */
        AppInit: {
            suggested_questions: string[];
            /** @description The input variables the app asks for before the conversation starts. */
            variables: components["schemas"]["InteractiveField"][];
            welcome?: string | null;
        };
        AssistantMessage: {
            content?: string | null;
            /** @description The model's reasoning, when the agent shows it (as DeepSeek names it). */
            reasoning_content?: string | null;
            /** @description `assistant` */
            role: string;
            tool_calls?: components["schemas"]["ToolCallOut"][];
        };
        AuditView: {
            action: string;
            actor_id?: string | null;
            /** @description The actor's username; null for the system and the command line (`details.via`). */
            actor_name?: string | null;
            created_at: string;
            details: Record<string, never>;
            id: string;
            ip?: string | null;
            request_id?: string | null;
            /** @description `success` or `failure`. */
            result: string;
            target_id?: string | null;
            /** @description The target's name when known: a username, an API key's or an agent's name. */
            target_name?: string | null;
            target_type?: string | null;
            user_agent?: string | null;
        };
        /**
         * @description Which engine is behind the pool, for the few places where dialects differ.
         * @enum {string}
         */
        Backend: "sqlite" | "postgres";
        BlockOut: {
            signature: string;
            thinking: string;
            /** @enum {string} */
            type: "thinking";
        } | {
            text: string;
            /** @enum {string} */
            type: "text";
        } | {
            id: string;
            input: Record<string, never>;
            name: string;
            /** @enum {string} */
            type: "tool_use";
        };
        /**
         * @description What a budget limits.
         * @enum {string}
         */
        BudgetKind: "tokens_per_day" | "cost_per_month";
        BudgetList: {
            currency: string;
            items: components["schemas"]["BudgetView"][];
        };
        BudgetRequest: {
            /**
             * Format: double
             * @description Cost per UTC month in `currency`; `null` for no monthly limit.
             */
            cost_per_month?: number | null;
            /**
             * Format: uint64
             * @description Tokens per UTC day; `null` for no daily limit.
             */
            tokens_per_day?: number | null;
        };
        /**
         * @description Where a budget comes from.
         * @enum {string}
         */
        BudgetScope: "server" | "user" | "group";
        /** @description A budget as its user sees it. */
        BudgetStatus: {
            /** @description The currency of cost budgets (`budgets.currency`), `null` for tokens. */
            currency?: string | null;
            kind: components["schemas"]["BudgetKind"];
            /**
             * Format: double
             * @description Tokens, or an amount of `currency` as a decimal.
             */
            limit: number;
            /** @description The group's name, the user's name, or `server`. */
            name: string;
            /** Format: double */
            remaining: number;
            /** @description When the period starts afresh (RFC 3339). */
            resets_at: string;
            scope: components["schemas"]["BudgetScope"];
            /**
             * Format: double
             * @description Used in this period, plus what running requests hold.
             */
            used: number;
        };
        BudgetView: {
            /**
             * Format: double
             * @description Cost per UTC month, in `currency`.
             */
            cost_per_month?: number | null;
            /** @description The user's or the group's id. */
            id: string;
            /** @description The username or the group's name. */
            name?: string | null;
            /** @description `user` or `group`. */
            scope: string;
            /**
             * Format: int64
             * @description Tokens (prompt + completion) per UTC day.
             */
            tokens_per_day?: number | null;
            updated_at: string;
        };
        /** @enum {string} */
        Capability: "vision" | "reasoning" | "files" | "tools";
        /** @description A whole reply (`stream: false`). */
        ChatCompletion: {
            choices: components["schemas"]["Choice"][];
            /** Format: uint64 */
            created: number;
            id: string;
            /** @description The agent id that was asked for. */
            model: string;
            /** @description `chat.completion` */
            object: string;
            usage: components["schemas"]["UsageCounts"];
        };
        /** @description `POST /v1/chat/completions`. Fields not listed are accepted and ignored. */
        ChatCompletionRequest: {
            /**
             * Format: uint32
             * @description The newer name of `max_tokens`; wins when both are set.
             */
            max_completion_tokens?: number | null;
            /** Format: uint32 */
            max_tokens?: number | null;
            messages: components["schemas"]["OpenAiMessage"][];
            /** @description An agent id (see `GET /v1/models`). */
            model: string;
            parallel_tool_calls?: boolean | null;
            /** @description Passed to OpenAI-compatible agents as given. */
            response_format?: Record<string, never> | null;
            stream?: boolean;
            stream_options?: components["schemas"]["StreamOptions"] | null;
            /** Format: float */
            temperature?: number | null;
            tool_choice?: components["schemas"]["TextOrObject"] | null;
            tools?: components["schemas"]["OpenAiTool"][] | null;
        };
        /**
         * @description The `event:` names of a turn's stream; each names the payload schema it carries
         *     (`start` → `StartEvent`, `delta`/`reasoning`/`replace` → `TextEvent`, …).
         * @enum {string}
         */
        ChatEventName: "start" | "delta" | "reasoning" | "replace" | "status" | "interactive" | "citation" | "tool" | "usage" | "done" | "error";
        Choice: {
            /** @description `stop`, `length`, `tool_calls` or `content_filter`. */
            finish_reason: string;
            /** Format: uint32 */
            index: number;
            logprobs?: boolean | null;
            message: components["schemas"]["AssistantMessage"];
        };
        Citation: {
            /** Format: double */
            score?: number | null;
            snippet?: string | null;
            title: string;
            url?: string | null;
        };
        /** @description `citation`: sources of the answer. */
        CitationEvent: {
            items: components["schemas"]["Citation"][];
        };
        Component: {
            /** @description How many there are (agents). */
            count?: number | null;
            error?: string | null;
            /** Format: double */
            latency_ms?: number | null;
            status: components["schemas"]["ComponentStatus"];
        };
        Components: {
            /**
             * @description The agents in service: `ok` with their count, `degraded` when there are none to chat
             *     with. Does not change the overall status.
             */
            agents: components["schemas"]["Component"];
            database: components["schemas"]["Component"];
            migrations: components["schemas"]["Component"];
            redis: components["schemas"]["Component"];
        };
        /** @enum {string} */
        ComponentStatus: "ok" | "down" | "disabled" | "pending" | "degraded";
        /** @description The outcome of a connection test. */
        ConnectionTest: {
            error?: components["schemas"]["UpstreamFailure"] | null;
            /**
             * Format: double
             * @description Time to the first event of the reply, or to the failure.
             */
            latency_ms: number;
            /** @description The model asked, for providers that take one. */
            model?: string | null;
            ok: boolean;
            /** @description The URL the test request went to (none for the built-in demo). */
            url?: string | null;
        };
        ConversationChanges: {
            agent_id?: string | null;
            archived?: boolean | null;
            /** @description Switch to another branch: any message of this conversation. */
            current_message_id?: string | null;
            pinned?: boolean | null;
            title?: string | null;
        };
        ConversationExport: {
            conversation: components["schemas"]["ConversationView"];
            messages: components["schemas"]["MessageView"][];
        };
        ConversationView: {
            /** @description The answer being generated right now (reattach with `/stream`), or null. */
            active_turn?: string | null;
            agent_id: string;
            archived: boolean;
            created_at: string;
            /** @description The tip of the branch being shown. */
            current_message_id?: string | null;
            id: string;
            pinned: boolean;
            /**
             * @description In search results (`q`): about 120 characters of the newest message that contains the
             *     query, around the match (absent when only the title matched).
             */
            snippet?: string | null;
            title: string;
            updated_at: string;
        };
        /** @description A newly created key: the only response that ever contains the key itself. */
        CreatedApiKey: components["schemas"]["ApiKeyView"] & {
            /** @description The secret key (`sk-llmc-…`). Store it now: it is never shown again. */
            key: string;
        };
        /** @description A new invitation: the only response that contains its code. */
        CreatedInvitation: components["schemas"]["InvitationView"] & {
            /** @description Share it as `{origin}/register?invite={code}`; it is never shown again. */
            code: string;
        };
        DatabaseHealth: {
            backend: components["schemas"]["Backend"];
            error?: string | null;
            /** Format: double */
            latency_ms?: number | null;
            pool: components["schemas"]["PoolInfo"];
            status: components["schemas"]["ComponentStatus"];
        };
        /** @description An RFC 3339 date (2026-11-26) or timestamp (2026-11-26T08:00:00Z) */
        DateOrTimestamp: string;
        /** @description One day of the dashboard's series. */
        DayStats: {
            /** Format: int64 */
            completion_tokens: number;
            /** @description `YYYY-MM-DD` in the report's time zone. */
            day: string;
            /** Format: int64 */
            errors: number;
            /**
             * Format: int64
             * @description Messages written (every role).
             */
            messages: number;
            /** Format: int64 */
            prompt_tokens: number;
            /**
             * Format: int64
             * @description Requests to agents.
             */
            requests: number;
            /**
             * Format: int64
             * @description `prompt_tokens + completion_tokens`.
             */
            tokens: number;
        };
        DeleteAccountRequest: {
            /** @description The account's password, again. */
            password?: string | null;
            /** @description Accounts without a password (made by single sign-on) confirm with their username. */
            username?: string | null;
        };
        DeletionScheduled: {
            /** @description When the account is deleted for good, unless its owner cancels before. */
            delete_after: string;
        };
        /** @description The built-in demo: deterministic, local, no network. */
        DemoDef: {
            /**
             * Format: uint32
             * @description Characters per second it "types" at; default a human-like 200.
             */
            chars_per_second?: number | null;
        };
        /** @description `done`: the turn ended and its message is saved with this status. */
        DoneEvent: {
            message_id: string;
            /** @description `complete`, `stopped`, `failed` or `interrupted` (never `streaming`). */
            status: components["schemas"]["MessageStatus"];
            usage: components["schemas"]["UsageEvent"];
        };
        ErrorBody: {
            budget?: components["schemas"]["BudgetStatus"] | null;
            /** @description Stable, snake_case machine-readable code such as `not_found`. */
            code: string;
            /**
             * @description The request field the error is about (422 `invalid`, 409 on a taken name), so that a
             *     form can show the message beside it.
             */
            field?: string | null;
            /** @description Human-readable explanation; for 5xx only "internal error". */
            message: string;
            /** @description The `x-request-id` of the failed request, to quote when reporting a problem. */
            request_id?: string | null;
        };
        /** @description `error`: why the turn failed (a `done` with status `failed` follows). */
        ErrorEvent: {
            agent_id?: string | null;
            code: string;
            message: string;
        };
        /** @description The body of every error response. */
        ErrorResponse: {
            error: components["schemas"]["ErrorBody"];
        };
        /**
         * @description The export formats.
         * @enum {string}
         */
        ExportFormat: "markdown" | "md" | "json";
        /**
         * @description What kind of failure, for the UI to pick an icon or a hint.
         * @enum {string}
         */
        FailureKind: "connection_refused" | "dns" | "tls" | "timeout" | "unauthorized" | "forbidden" | "not_found" | "rate_limited" | "upstream_error" | "protocol" | "other";
        /**
         * @description A user's rating of an answer (stored as 1 or -1).
         * @enum {string}
         */
        Feedback: "up" | "down";
        FeedbackView: {
            comment?: string | null;
            /** @description Whether the agent's app (FastGPT, Dify) received it too. */
            forwarded: boolean;
            message_id: string;
            rating?: string | null;
        };
        Function: {
            description?: string | null;
            name: string;
            /** @description JSON Schema of the arguments. */
            parameters?: Record<string, never>;
            strict?: boolean | null;
        };
        FunctionCall: {
            /** @description JSON text. */
            arguments?: string;
            name: string;
        };
        FunctionOut: {
            /** @description JSON text as the model wrote it. */
            arguments: string;
            name: string;
        };
        /**
         * @description How the admin usage report groups records.
         * @enum {string}
         */
        GroupBy: "user" | "agent" | "day";
        GroupDetail: components["schemas"]["GroupView"] & {
            members: components["schemas"]["MemberView"][];
        };
        GroupList: {
            items: components["schemas"]["GroupView"][];
        };
        GroupPatch: {
            description?: string | null;
            name?: string | null;
            /**
             * Format: uint64
             * @description 1–3650 days, or `null` to keep conversations. Absent: unchanged.
             */
            retention_days?: number | null;
        };
        /** @description A group's id and name. */
        GroupRef: {
            id: string;
            name: string;
        };
        GroupRetention: {
            /**
             * Format: int64
             * @description Conversations of its members older than that.
             */
            conversations_due: number;
            id: string;
            name: string;
            /** Format: int64 */
            retention_days: number;
        };
        GroupView: {
            /** @description The agents restricted to groups that this group may use (ids). */
            agents: string[];
            created_at: string;
            description: string;
            id: string;
            /**
             * Format: int64
             * @description Members that are not deleted.
             */
            member_count: number;
            name: string;
            /**
             * Format: int64
             * @description Conversations of members not touched for this many days are deleted by the hourly
             *     data lifecycle pass (a member of several groups: the shortest); `null` keeps them.
             */
            retention_days?: number | null;
            updated_at: string;
        };
        Health: {
            components?: components["schemas"]["Components"] | null;
            environment: string;
            status: components["schemas"]["HealthStatus"];
            /** Format: uint64 */
            uptime_s: number;
            version: string;
        };
        /** @enum {string} */
        HealthStatus: "ok" | "degraded" | "down";
        /** @description An identity at a single sign-on provider, linked to the account. */
        IdentityView: {
            /** @description The email the provider gave at the last sign-in. */
            email?: string | null;
            last_login_at?: string | null;
            linked_at: string;
            /** @description The provider's id (`auth.oidc[].id`). */
            provider: string;
            /** @description The provider's display name (its id if it is no longer configured). */
            provider_name: string;
        };
        /** @description `interactive`: the upstream asks the user (options to pick or a form to fill). */
        InteractiveEvent: {
            /** @description For `form`: the fields to fill. */
            fields: components["schemas"]["InteractiveField"][];
            kind: components["schemas"]["InteractiveKind"];
            /** @description For `select`: the choices. */
            options: components["schemas"]["InteractiveOption"][];
            prompt?: string | null;
        };
        InteractiveField: {
            /** @description `input`, `textarea`, `number`, `select`, …, as the upstream names it. */
            kind: string;
            label: string;
            name: string;
            options: components["schemas"]["InteractiveOption"][];
            required: boolean;
        };
        /** @enum {string} */
        InteractiveKind: "select" | "form";
        InteractiveOption: {
            label: string;
            value: string;
        };
        /** @description A reload refused: the error plus every problem found; the running agents stay. */
        InvalidConfiguration: {
            error: components["schemas"]["ErrorBody"];
            problems: components["schemas"]["Problem"][];
        };
        /** @enum {string} */
        InvitationStatus: "pending" | "used" | "expired" | "revoked";
        InvitationView: {
            created_at: string;
            expires_at: string;
            /** @description The groups the new account joins (those that still exist). */
            groups: components["schemas"]["GroupRef"][];
            id: string;
            note?: string | null;
            role: components["schemas"]["Role"];
            status: components["schemas"]["InvitationStatus"];
            used_at?: string | null;
            used_by?: string | null;
            used_by_name?: string | null;
        };
        /** @description What the next data lifecycle pass would delete. */
        LifecyclePreview: {
            /**
             * Format: int64
             * @description Accounts whose grace period is over.
             */
            accounts_due: number;
            /**
             * Format: int64
             * @description Conversations past their owner's retention (the shortest of their groups').
             */
            conversations_due: number;
            /** @description The groups with a retention. */
            groups: components["schemas"]["GroupRetention"][];
            /**
             * Format: int64
             * @description Uploads older than a day that no message uses.
             */
            orphan_uploads_due: number;
        };
        LoginRequest: {
            password: string;
            /** @description Username or email. */
            username: string;
        };
        MemberView: {
            added_at: string;
            display_name?: string | null;
            /** @description The user's id. */
            id: string;
            /** @description Who manages the membership: `admin`, `invitation`, `oidc` or `ldap`. */
            source: string;
            username: string;
        };
        /** @description Changes to the signed-in user's profile. */
        MePatch: {
            /** @description Up to 4000 characters; `null` or empty clears them. Absent: unchanged. */
            custom_instructions?: string | null;
        };
        /** @description Why an answer failed or was interrupted. */
        MessageError: {
            /** @description `upstream_timeout`, `interrupted`, … (the codes of the `error` event). */
            code: string;
            message: string;
        };
        MessageList: {
            /** @description The tip of the branch shown. */
            current_message_id?: string | null;
            items: components["schemas"]["MessageView"][];
        };
        /** @description A whole reply (`stream: false`). */
        MessageOut: {
            content: components["schemas"]["BlockOut"][];
            id: string;
            /** @description The agent id that was asked for. */
            model: string;
            /** @description `assistant` */
            role: string;
            /** @description `end_turn`, `max_tokens`, `tool_use` or `refusal`. */
            stop_reason: string;
            stop_sequence?: string | null;
            /** @description `message` */
            type: string;
            usage: components["schemas"]["UsageOut"];
        };
        /**
         * @description One part of a message's content, tagged by `type`. Answers are built from these; the content
         *     is stored and served as the JSON it was written as (a part type this build does not know is
         *     kept), so reading does not decode it into this type.
         */
        MessagePart: {
            text: string;
            /** @enum {string} */
            type: "text";
        } | {
            text: string;
            /** @enum {string} */
            type: "reasoning";
        } | {
            detail?: string | null;
            node: string;
            state: components["schemas"]["NodeState"];
            /** @enum {string} */
            type: "status";
        } | {
            items: components["schemas"]["Citation"][];
            /** @enum {string} */
            type: "citation";
        } | {
            answer?: unknown;
            fields?: components["schemas"]["InteractiveField"][] | null;
            kind: components["schemas"]["InteractiveKind"];
            options?: components["schemas"]["InteractiveOption"][] | null;
            prompt?: string | null;
            /** @enum {string} */
            type: "interactive";
        } | {
            arguments: string;
            id: string;
            name: string;
            result?: string | null;
            /** @enum {string} */
            type: "tool";
        } | {
            mime: string;
            name: string;
            /** Format: int64 */
            size: number;
            /** @enum {string} */
            type: "attachment";
            upload_id: string;
        };
        /**
         * @description Who wrote a stored message.
         * @enum {string}
         */
        MessageRole: "user" | "assistant";
        /** @description `POST /v1/messages`. Fields not listed (`metadata`, `top_k`, …) are accepted and ignored. */
        MessagesRequest: {
            /** Format: uint32 */
            max_tokens: number;
            messages: components["schemas"]["AnthropicMessage"][];
            /** @description An agent id (see `GET /v1/models`). */
            model: string;
            stream?: boolean;
            system?: components["schemas"]["TextOrParts"] | null;
            /** Format: float */
            temperature?: number | null;
            /** @description `{"type": "auto" | "any" | "tool" | "none"}` (`tool` with a `name`). */
            tool_choice?: Record<string, never> | null;
            tools?: components["schemas"]["AnthropicTool"][] | null;
        };
        /**
         * @description Where a message stands; stored as its lower-case name (the schema's CHECK lists them).
         * @enum {string}
         */
        MessageStatus: "streaming" | "complete" | "stopped" | "failed" | "interrupted";
        MessageUsage: {
            /** Format: int64 */
            completion_tokens: number;
            /** Format: int64 */
            prompt_tokens: number;
        };
        MessageView: {
            agent_id?: string | null;
            /** @description Typed parts, as stored (a part type unknown to this build is passed on as it is). */
            content: components["schemas"]["MessagePart"][];
            created_at: string;
            /** Format: int64 */
            duration_ms?: number | null;
            error?: components["schemas"]["MessageError"] | null;
            feedback?: components["schemas"]["Feedback"] | null;
            feedback_comment?: string | null;
            id: string;
            model?: string | null;
            parent_id?: string | null;
            role: components["schemas"]["MessageRole"];
            /** @description This message and its alternatives (other answers, edited questions), oldest first. */
            sibling_ids: string[];
            status: components["schemas"]["MessageStatus"];
            /** Format: int64 */
            ttft_ms?: number | null;
            usage?: components["schemas"]["MessageUsage"] | null;
        };
        /** @description The signed-in user and their groups. */
        MeView: components["schemas"]["UserView"] & {
            /** @description Added to the system prompt of the user's chat turns (not to `/v1` requests). */
            custom_instructions?: string | null;
            /**
             * @description When the account is deleted for good, if its owner asked for its deletion (cancel
             *     with `POST /api/auth/me/restore`).
             */
            delete_after?: string | null;
            /** @description The groups the user belongs to, by name. */
            groups: components["schemas"]["GroupRef"][];
            /** @description Whether the account has a password (accounts made by single sign-on have none). */
            has_password: boolean;
            /** @description The single sign-on identities that sign in as this account. */
            identities: components["schemas"]["IdentityView"][];
        };
        Model: {
            /** Format: uint64 */
            created: number;
            /** @description The agent id. */
            id: string;
            /** @description `model` */
            object: string;
            /** @description The agent's provider (`openai`, `anthropic`, `fastgpt`, `dify`, `demo`). */
            owned_by: string;
        };
        /** @description One model a provider offers. */
        ModelInfo: {
            /** @description What goes in the agent's `model`. */
            id: string;
            /** @description A display name, when the provider gives one (Anthropic does). */
            name?: string | null;
        };
        /** @description `GET /v1/models` in OpenAI's shape. */
        ModelList: {
            data: components["schemas"]["Model"][];
            /** @description `list` */
            object: string;
        };
        ModelsRequest: {
            /**
             * @description An existing agent whose stored key to use when `provider.api_key` is absent or
             *     `********` (editing an agent without retyping its key).
             */
            agent_id?: string | null;
            /** @description The provider as in an agent definition (`{"type": "openai", "base_url", "api_key"}`). */
            provider: components["schemas"]["ProviderDef"];
        };
        ModelsView: {
            items: components["schemas"]["ModelInfo"][];
            /** @description The URL that was asked. */
            url: string;
        };
        MyBudgets: {
            /**
             * @description Every budget that applies to the signed-in user: the server's daily quota, their own,
             *     their groups'. A request is refused (429 `budget_exceeded` or `daily_quota_exceeded`)
             *     while any of them has nothing left.
             */
            items: components["schemas"]["BudgetStatus"][];
        };
        NewApiKeyRequest: {
            /** @description Agent ids the key may use; omit for all agents the owner may use. */
            allowed_agents?: components["schemas"]["NonBlank"][] | null;
            /**
             * Format: date-time
             * @description RFC 3339, in the future; the key stops working then. Omit for a key that does not
             *     expire.
             */
            expires_at?: string | null;
            /** @description A label to recognise the key by, 1–100 characters. */
            name: string;
            /**
             * @description What the key may do: `["chat"]` (the default) or `["admin"]` (also the admin API;
             *     admins only). `admin` includes `chat`.
             */
            scopes?: components["schemas"]["Scope"][] | null;
        };
        NewConversation: {
            agent_id: string;
            title?: string | null;
        };
        NewFeedback: {
            comment?: string | null;
            rating?: components["schemas"]["Rating"] | null;
        };
        NewGroup: {
            description?: string | null;
            /** @description 1–64 characters, unique (as identity providers' group claims name them). */
            name: string;
            /**
             * Format: uint64
             * @description 1–3650 days; absent: conversations are kept.
             */
            retention_days?: number | null;
        };
        NewInvitationRequest: {
            /**
             * Format: uint32
             * @description 1–90; default 7.
             */
            expires_in_days?: number | null;
            /** @description Ids of the groups the new account joins. */
            groups?: string[] | null;
            /** @description Up to 200 characters, for the admins (who it is for). */
            note?: string | null;
            role?: components["schemas"]["Role"] | null;
        };
        /** @description A new message in a conversation. */
        NewMessage: {
            /** @description Ids from `POST /api/uploads`. */
            attachments?: string[];
            content?: string;
            /**
             * @description The answer to the previous answer's interactive question (an option's value or the
             *     form's fields).
             */
            interactive_answer?: unknown;
            /**
             * @description Reply under this message; absent: continue the current branch; `null`: a new root
             *     (editing the first question). Edit-and-resend passes the edited message's parent.
             */
            parent_id?: string | null;
            /** @description `false`: wait and answer with the finished message as JSON. Default `true` (SSE). */
            stream?: boolean | null;
            /** @description App input variables (FastGPT `variables`, Dify `inputs`), kept for the conversation. */
            variables?: {
                [key: string]: unknown;
            };
        };
        NewPresetRequest: {
            /** @description For this agent only; absent: any agent. */
            agent_id?: string | null;
            content: string;
            /** @description Admins: for everyone who uses `agent_id` (which it then needs). */
            shared?: boolean | null;
            title: string;
        };
        NewShareRequest: {
            /**
             * Format: uint32
             * @description 1–365; absent: the link does not expire.
             */
            expires_in_days?: number | null;
            /** @description Only signed-in users of this server may open it; default false (anyone with the link). */
            members_only?: boolean | null;
        };
        NewUserRequest: {
            email?: string | null;
            password: string;
            role?: components["schemas"]["Role"] | null;
            username: string;
        };
        /** @enum {string} */
        NodeState: "running" | "done" | "failed";
        NonBlank: string;
        /** @description OpenAI's error document. */
        OpenAiError: {
            error: components["schemas"]["OpenAiErrorBody"];
        };
        OpenAiErrorBody: {
            /** @description A machine-readable code such as `model_not_found` or `rate_limit_exceeded`. */
            code: string;
            message: string;
            param?: string | null;
            /**
             * @description `invalid_request_error`, `authentication_error`, `permission_error`,
             *     `not_found_error`, `rate_limit_error` or `api_error`.
             */
            type: string;
        };
        OpenAiMessage: {
            content?: components["schemas"]["TextOrParts"] | null;
            role: components["schemas"]["OpenAiRole"];
            /** @description The call a `tool` message answers. */
            tool_call_id?: string | null;
            /** @description Calls the assistant made (assistant messages). */
            tool_calls?: components["schemas"]["ToolCall"][] | null;
        };
        /** @enum {string} */
        OpenAiRole: "system" | "developer" | "user" | "assistant" | "tool";
        OpenAiTool: {
            function?: components["schemas"]["Function"] | null;
            /** @description `function`. */
            type: string;
        };
        /** @description What a reload did. */
        Outcome: {
            /** @description Agents in force after the reload. */
            agents: string[];
            /** @description Changed settings now in force. */
            applied: string[];
            /** @description Changed settings that keep their running value until a restart. */
            restart_required: string[];
        };
        /** @description One page of a list. */
        Page_ApiKeyView: {
            items: {
                allowed_agents?: string[] | null;
                created_at: string;
                expires_at?: string | null;
                id: string;
                last_used_at?: string | null;
                name: string;
                /** @description The first characters of the key, to recognise it. */
                prefix: string;
                /** @description `["chat"]`, or `["chat", "admin"]` for a key that may use the admin API. */
                scopes: components["schemas"]["Scope"][];
            }[];
            /** @description Pass as `cursor` to get the next page; null on the last page. */
            next_cursor?: string | null;
        };
        /** @description One page of a list. */
        Page_AuditView: {
            items: {
                action: string;
                actor_id?: string | null;
                /** @description The actor's username; null for the system and the command line (`details.via`). */
                actor_name?: string | null;
                created_at: string;
                details: Record<string, never>;
                id: string;
                ip?: string | null;
                request_id?: string | null;
                /** @description `success` or `failure`. */
                result: string;
                target_id?: string | null;
                /** @description The target's name when known: a username, an API key's or an agent's name. */
                target_name?: string | null;
                target_type?: string | null;
                user_agent?: string | null;
            }[];
            /** @description Pass as `cursor` to get the next page; null on the last page. */
            next_cursor?: string | null;
        };
        /** @description One page of a list. */
        Page_ConversationView: {
            items: {
                /** @description The answer being generated right now (reattach with `/stream`), or null. */
                active_turn?: string | null;
                agent_id: string;
                archived: boolean;
                created_at: string;
                /** @description The tip of the branch being shown. */
                current_message_id?: string | null;
                id: string;
                pinned: boolean;
                /**
                 * @description In search results (`q`): about 120 characters of the newest message that contains the
                 *     query, around the match (absent when only the title matched).
                 */
                snippet?: string | null;
                title: string;
                updated_at: string;
            }[];
            /** @description Pass as `cursor` to get the next page; null on the last page. */
            next_cursor?: string | null;
        };
        /** @description One page of a list. */
        Page_InvitationView: {
            items: {
                created_at: string;
                expires_at: string;
                /** @description The groups the new account joins (those that still exist). */
                groups: components["schemas"]["GroupRef"][];
                id: string;
                note?: string | null;
                role: components["schemas"]["Role"];
                status: components["schemas"]["InvitationStatus"];
                used_at?: string | null;
                used_by?: string | null;
                used_by_name?: string | null;
            }[];
            /** @description Pass as `cursor` to get the next page; null on the last page. */
            next_cursor?: string | null;
        };
        /** @description One page of a list. */
        Page_UploadView: {
            items: {
                created_at: string;
                id: string;
                kind: components["schemas"]["UploadKind"];
                /** @description The type established from the content, such as `image/png` or `text/markdown`. */
                mime: string;
                name: string;
                /**
                 * Format: int64
                 * @description Bytes.
                 */
                size: number;
            }[];
            /** @description Pass as `cursor` to get the next page; null on the last page. */
            next_cursor?: string | null;
        };
        /** @description One page of a list. */
        Page_UserView: {
            items: {
                /** @description RFC 3339, UTC. */
                created_at: string;
                disabled: boolean;
                display_name?: string | null;
                email?: string | null;
                id: string;
                last_login_at?: string | null;
                role: components["schemas"]["Role"];
                username: string;
            }[];
            /** @description Pass as `cursor` to get the next page; null on the last page. */
            next_cursor?: string | null;
        };
        PasswordChange: {
            current_password: string;
            new_password: string;
            /** @description Also revoke every API key of the user (after a leak). Default false. */
            revoke_api_keys?: boolean;
        };
        PoolInfo: {
            /** Format: uint32 */
            idle: number;
            /** Format: uint32 */
            in_use: number;
            /** Format: uint32 */
            max: number;
            /**
             * Format: uint32
             * @description Open connections.
             */
            size: number;
        };
        PresetList: {
            items: components["schemas"]["PresetView"][];
        };
        PresetPatch: {
            content?: string | null;
            title?: string | null;
        };
        PresetView: {
            /** @description The agent it is for; `null`: any agent. */
            agent_id?: string | null;
            /** @description The text the composer is filled with. */
            content: string;
            created_at: string;
            id: string;
            /** @description An admin's preset for everyone who uses the agent (only admins change it). */
            shared: boolean;
            title: string;
            updated_at: string;
        };
        PriceList: {
            /** @description The currency of every price and cost budget (`budgets.currency`). */
            currency: string;
            items: components["schemas"]["PriceView"][];
        };
        PriceRequest: {
            /** Format: double */
            input_per_million: number;
            model: string;
            /** Format: double */
            output_per_million: number;
        };
        PriceView: {
            /**
             * Format: double
             * @description Price per million input (prompt) tokens, in `currency`.
             */
            input_per_million: number;
            /** @description The model name as agents send it (`gpt-4o-mini`). */
            model: string;
            /**
             * Format: double
             * @description Price per million output (completion) tokens.
             */
            output_per_million: number;
            updated_at: string;
        };
        Probe: {
            reason?: string | null;
            /** @description `alive`, `ready` or `not_ready`. */
            status: string;
        };
        /** @description One thing wrong with the agents. */
        Problem: {
            /** @description The agent's id, when the problem is in one agent. */
            agent?: string | null;
            /** @description The field, as a dotted path (`provider.base_url`). */
            field: string;
            message: string;
        };
        /** @description The provider behind an agent, tagged by `type` */
        ProviderDef: {
            /** @description Write-only: reads show `********` when a key is set. */
            api_key?: string | null;
            /** @description FastGPT's app id (for the opening data). */
            app_id?: string | null;
            /** @description An absolute http(s) URL. */
            base_url: string;
            /** @description A duration such as `10s`. */
            connect_timeout?: string | null;
            /** @description Extra headers sent with every request. */
            headers?: {
                [key: string]: string;
            };
            /** @description Longest silence between two chunks of a stream (`60s`). */
            idle_timeout?: string | null;
            /**
             * Format: uint32
             * @description Retries before the first token (connect errors, 429, 5xx).
             */
            max_retries?: number | null;
            /** @description The model (openai, anthropic); app-style providers ignore it. */
            model?: string | null;
            /** @enum {string} */
            type: "openai";
        } | {
            /** @description Write-only: reads show `********` when a key is set. */
            api_key?: string | null;
            /** @description FastGPT's app id (for the opening data). */
            app_id?: string | null;
            /** @description An absolute http(s) URL. */
            base_url: string;
            /** @description A duration such as `10s`. */
            connect_timeout?: string | null;
            /** @description Extra headers sent with every request. */
            headers?: {
                [key: string]: string;
            };
            /** @description Longest silence between two chunks of a stream (`60s`). */
            idle_timeout?: string | null;
            /**
             * Format: uint32
             * @description Retries before the first token (connect errors, 429, 5xx).
             */
            max_retries?: number | null;
            /** @description The model (openai, anthropic); app-style providers ignore it. */
            model?: string | null;
            /** @enum {string} */
            type: "anthropic";
        } | {
            /** @description Write-only: reads show `********` when a key is set. */
            api_key?: string | null;
            /** @description FastGPT's app id (for the opening data). */
            app_id?: string | null;
            /** @description An absolute http(s) URL. */
            base_url: string;
            /** @description A duration such as `10s`. */
            connect_timeout?: string | null;
            /** @description Extra headers sent with every request. */
            headers?: {
                [key: string]: string;
            };
            /** @description Longest silence between two chunks of a stream (`60s`). */
            idle_timeout?: string | null;
            /**
             * Format: uint32
             * @description Retries before the first token (connect errors, 429, 5xx).
             */
            max_retries?: number | null;
            /** @description The model (openai, anthropic); app-style providers ignore it. */
            model?: string | null;
            /** @enum {string} */
            type: "fastgpt";
        } | {
            /** @description Write-only: reads show `********` when a key is set. */
            api_key?: string | null;
            /** @description FastGPT's app id (for the opening data). */
            app_id?: string | null;
            /** @description An absolute http(s) URL. */
            base_url: string;
            /** @description A duration such as `10s`. */
            connect_timeout?: string | null;
            /** @description Extra headers sent with every request. */
            headers?: {
                [key: string]: string;
            };
            /** @description Longest silence between two chunks of a stream (`60s`). */
            idle_timeout?: string | null;
            /**
             * Format: uint32
             * @description Retries before the first token (connect errors, 429, 5xx).
             */
            max_retries?: number | null;
            /** @description The model (openai, anthropic); app-style providers ignore it. */
            model?: string | null;
            /** @enum {string} */
            type: "dify";
        } | {
            /**
             * Format: uint32
             * @description Characters per second it "types" at; default a human-like 200.
             */
            chars_per_second?: number | null;
            /** @enum {string} */
            type: "demo";
        };
        /** @enum {string} */
        ProviderKind: "openai" | "anthropic" | "fastgpt" | "dify" | "demo";
        /** @description One provider's part of the requests over the window. */
        ProviderShare: {
            /** @description `openai`, `anthropic`, `fastgpt`, `dify` or `demo`. */
            provider: string;
            /** Format: int64 */
            requests: number;
            /**
             * Format: double
             * @description Of all requests in the window, 0–1.
             */
            share: number;
        };
        /**
         * @description A rating of an answer.
         * @enum {string}
         */
        Rating: "up" | "down";
        /** @description Health of the last hours. */
        RecentHealth: {
            /**
             * Format: double
             * @description `errors / requests` (0 without requests).
             */
            error_rate: number;
            /** Format: int64 */
            errors: number;
            /**
             * Format: int64
             * @description 95th percentile (nearest rank) of the time to first token, in ms.
             */
            p95_ttft_ms?: number | null;
            /** Format: int64 */
            requests: number;
        };
        /** @description The refresh token in the body; the web UI sends none and relies on the cookie. */
        RefreshRequest: {
            refresh_token?: string | null;
        };
        Regenerate: {
            /** @description `false`: answer with the finished message as JSON. */
            stream?: boolean | null;
        };
        RegisterRequest: {
            email?: string | null;
            /** @description The code of an invitation link (required when registration is by invitation). */
            invite_code?: string | null;
            password: string;
            /** @description 3–32 letters, digits, `_`, `-` or `.`. */
            username: string;
        };
        /**
         * @description Who may create an account with `POST /api/auth/register`.
         * @enum {string}
         */
        Registration: "open" | "closed" | "invite";
        /** @description What the sign-in and registration pages need to know before anyone signs in. */
        RegistrationInfo: {
            /**
             * @description When set, people of this directory (LDAP) sign in with its username and password in
             *     the sign-in form.
             */
            directory?: string | null;
            /**
             * @description The next account registered becomes the administrator (development, no administrator
             *     yet, registration not closed).
             */
            first_account_admin: boolean;
            /** @description Whether any account exists (false on a fresh install). */
            has_accounts: boolean;
            mode: components["schemas"]["Registration"];
            /** @description No active administrator exists. */
            needs_admin: boolean;
            /** @description Whether accounts sign in and register with passwords (false: single sign-on only). */
            password_login: boolean;
            /** @description The single sign-on providers, in the order of their buttons. */
            providers: components["schemas"]["SsoProvider"][];
        };
        RegistrationSetting: {
            /** @description What the configuration says (in force again after a reset). */
            config_mode: components["schemas"]["Registration"];
            /** @description The mode in force. */
            mode: components["schemas"]["Registration"];
            /** @description `console` when an admin chose it here, `config` when the configuration decides. */
            source: components["schemas"]["Source"];
        };
        /** @description A configuration reload refused: why, and nothing changed. */
        ReloadRefused: {
            error: components["schemas"]["ErrorBody"];
            /** @description For invalid agents: every problem. */
            problems: components["schemas"]["Problem"][];
        };
        ReloadResult: {
            /** @description Agents now in force, in configuration order. */
            agents: string[];
        };
        RevokedKeys: {
            /**
             * Format: uint64
             * @description How many keys stopped working.
             */
            revoked: number;
        };
        /**
         * @description `admin` manages users, agents and settings besides chatting; `user` chats.
         * @enum {string}
         */
        Role: "admin" | "user";
        /**
         * @description What an API key may do. `chat` covers everything a user does (chat, `/v1`, conversations,
         *     uploads, usage); `admin` adds the admin API and is granted only when an admin asks for it.
         *     Managing keys, passwords and sessions always takes a signed-in session.
         * @enum {string}
         */
        Scope: "chat" | "admin";
        ServerSettingsPatch: {
            registration?: components["schemas"]["Registration"] | null;
        };
        ServerSettingsView: {
            registration: components["schemas"]["RegistrationSetting"];
        };
        /**
         * @description Who the credentials belong to, answered without reading the user's record: the cheapest
         *     authenticated call (clients use it to check a token or key).
         */
        SessionView: {
            /** @description The agents an API key is limited to, if it is. */
            allowed_agents?: string[] | null;
            api_key_id?: string | null;
            /** @description `session` (an access token) or `api_key`. */
            auth: string;
            role: components["schemas"]["Role"];
            /**
             * @description An API key's scopes (`chat`, `admin`); absent for a session, which may do what the
             *     user's role allows.
             */
            scopes?: components["schemas"]["Scope"][] | null;
            user_id: string;
            username: string;
        };
        /** @description What a share link shows. */
        SharedConversation: {
            agent_id: string;
            agent_name: string;
            expires_at?: string | null;
            id: string;
            members_only: boolean;
            messages: components["schemas"]["SharedMessage"][];
            shared_at: string;
            /** @description The owner's display name, or their username. */
            shared_by: string;
            title: string;
        };
        /** @description One message of a shared conversation. */
        SharedMessage: {
            agent_id?: string | null;
            /**
             * @description The message's parts; attachments keep only their name, type and size (`upload_id` is
             *     empty: a visitor cannot open the file).
             */
            content: components["schemas"]["MessagePart"][];
            created_at: string;
            role: components["schemas"]["MessageRole"];
            status: components["schemas"]["MessageStatus"];
        };
        ShareList: {
            items: components["schemas"]["ShareView"][];
        };
        /** @enum {string} */
        ShareStatus: "live" | "expired" | "revoked";
        /** @description A share link as its owner sees it. */
        ShareView: {
            conversation_id: string;
            created_at: string;
            expires_at?: string | null;
            /** @description The link's token: the page is `/share/{id}`. */
            id: string;
            members_only: boolean;
            /**
             * Format: int64
             * @description Messages in the snapshot.
             */
            message_count: number;
            /** @description The page's path, to put after the server's origin. */
            path: string;
            revoked_at?: string | null;
            status: components["schemas"]["ShareStatus"];
            title: string;
        };
        /**
         * @description Where the mode in force comes from.
         * @enum {string}
         */
        Source: "config" | "console";
        /** @description One server-sent event */
        SseEvent: {
            data?: string;
            event?: string;
            id?: string;
            retry?: number;
        };
        /** @description A single sign-on provider as the sign-in page shows it. */
        SsoProvider: {
            /** @description Start signing in at `/api/auth/oidc/{id}/start`. */
            id: string;
            /** @description The button's label: "Sign in with {name}". */
            name: string;
        };
        /** @description `start`: the turn began; the ids to reattach and to show. */
        StartEvent: {
            agent_id: string;
            conversation_id: string;
            message_id: string;
            user_message_id: string;
        };
        /** @description `status`: workflow progress. */
        StatusEvent: {
            detail?: string | null;
            node: string;
            state: components["schemas"]["NodeState"];
        };
        Stopped: {
            /** @description The answer that was stopped. */
            message_id: string;
        };
        StreamOptions: {
            /** @description Send a last chunk with the token counts (and empty `choices`). */
            include_usage?: boolean;
        };
        /** @description What a pass deleted. */
        Swept: {
            /**
             * Format: uint64
             * @description Accounts past their deletion grace (with all their data).
             */
            accounts: number;
            /**
             * Format: uint64
             * @description Conversations past their owner's retention (not those of the deleted accounts).
             */
            conversations: number;
            /**
             * Format: uint64
             * @description Uploads no message uses.
             */
            uploads: number;
        };
        /** @description `delta`, `reasoning`, `replace`: text to append (or, for `replace`, the whole answer so far). */
        TextEvent: {
            text: string;
        };
        TextOrObject: string | Record<string, never>;
        TextOrParts: string | {
            type: string;
        }[];
        /**
         * @description An IANA time zone name such as Asia/Shanghai or UTC
         * @enum {string}
         */
        TimeZoneName: "Africa/Abidjan" | "Africa/Accra" | "Africa/Addis_Ababa" | "Africa/Algiers" | "Africa/Asmara" | "Africa/Asmera" | "Africa/Bamako" | "Africa/Bangui" | "Africa/Banjul" | "Africa/Bissau" | "Africa/Blantyre" | "Africa/Brazzaville" | "Africa/Bujumbura" | "Africa/Cairo" | "Africa/Casablanca" | "Africa/Ceuta" | "Africa/Conakry" | "Africa/Dakar" | "Africa/Dar_es_Salaam" | "Africa/Djibouti" | "Africa/Douala" | "Africa/El_Aaiun" | "Africa/Freetown" | "Africa/Gaborone" | "Africa/Harare" | "Africa/Johannesburg" | "Africa/Juba" | "Africa/Kampala" | "Africa/Khartoum" | "Africa/Kigali" | "Africa/Kinshasa" | "Africa/Lagos" | "Africa/Libreville" | "Africa/Lome" | "Africa/Luanda" | "Africa/Lubumbashi" | "Africa/Lusaka" | "Africa/Malabo" | "Africa/Maputo" | "Africa/Maseru" | "Africa/Mbabane" | "Africa/Mogadishu" | "Africa/Monrovia" | "Africa/Nairobi" | "Africa/Ndjamena" | "Africa/Niamey" | "Africa/Nouakchott" | "Africa/Ouagadougou" | "Africa/Porto-Novo" | "Africa/Sao_Tome" | "Africa/Timbuktu" | "Africa/Tripoli" | "Africa/Tunis" | "Africa/Windhoek" | "America/Adak" | "America/Anchorage" | "America/Anguilla" | "America/Antigua" | "America/Araguaina" | "America/Argentina/Buenos_Aires" | "America/Argentina/Catamarca" | "America/Argentina/ComodRivadavia" | "America/Argentina/Cordoba" | "America/Argentina/Jujuy" | "America/Argentina/La_Rioja" | "America/Argentina/Mendoza" | "America/Argentina/Rio_Gallegos" | "America/Argentina/Salta" | "America/Argentina/San_Juan" | "America/Argentina/San_Luis" | "America/Argentina/Tucuman" | "America/Argentina/Ushuaia" | "America/Aruba" | "America/Asuncion" | "America/Atikokan" | "America/Atka" | "America/Bahia" | "America/Bahia_Banderas" | "America/Barbados" | "America/Belem" | "America/Belize" | "America/Blanc-Sablon" | "America/Boa_Vista" | "America/Bogota" | "America/Boise" | "America/Buenos_Aires" | "America/Cambridge_Bay" | "America/Campo_Grande" | "America/Cancun" | "America/Caracas" | "America/Catamarca" | "America/Cayenne" | "America/Cayman" | "America/Chicago" | "America/Chihuahua" | "America/Ciudad_Juarez" | "America/Coral_Harbour" | "America/Cordoba" | "America/Costa_Rica" | "America/Coyhaique" | "America/Creston" | "America/Cuiaba" | "America/Curacao" | "America/Danmarkshavn" | "America/Dawson" | "America/Dawson_Creek" | "America/Denver" | "America/Detroit" | "America/Dominica" | "America/Edmonton" | "America/Eirunepe" | "America/El_Salvador" | "America/Ensenada" | "America/Fort_Nelson" | "America/Fort_Wayne" | "America/Fortaleza" | "America/Glace_Bay" | "America/Godthab" | "America/Goose_Bay" | "America/Grand_Turk" | "America/Grenada" | "America/Guadeloupe" | "America/Guatemala" | "America/Guayaquil" | "America/Guyana" | "America/Halifax" | "America/Havana" | "America/Hermosillo" | "America/Indiana/Indianapolis" | "America/Indiana/Knox" | "America/Indiana/Marengo" | "America/Indiana/Petersburg" | "America/Indiana/Tell_City" | "America/Indiana/Vevay" | "America/Indiana/Vincennes" | "America/Indiana/Winamac" | "America/Indianapolis" | "America/Inuvik" | "America/Iqaluit" | "America/Jamaica" | "America/Jujuy" | "America/Juneau" | "America/Kentucky/Louisville" | "America/Kentucky/Monticello" | "America/Knox_IN" | "America/Kralendijk" | "America/La_Paz" | "America/Lima" | "America/Los_Angeles" | "America/Louisville" | "America/Lower_Princes" | "America/Maceio" | "America/Managua" | "America/Manaus" | "America/Marigot" | "America/Martinique" | "America/Matamoros" | "America/Mazatlan" | "America/Mendoza" | "America/Menominee" | "America/Merida" | "America/Metlakatla" | "America/Mexico_City" | "America/Miquelon" | "America/Moncton" | "America/Monterrey" | "America/Montevideo" | "America/Montreal" | "America/Montserrat" | "America/Nassau" | "America/New_York" | "America/Nipigon" | "America/Nome" | "America/Noronha" | "America/North_Dakota/Beulah" | "America/North_Dakota/Center" | "America/North_Dakota/New_Salem" | "America/Nuuk" | "America/Ojinaga" | "America/Panama" | "America/Pangnirtung" | "America/Paramaribo" | "America/Phoenix" | "America/Port-au-Prince" | "America/Port_of_Spain" | "America/Porto_Acre" | "America/Porto_Velho" | "America/Puerto_Rico" | "America/Punta_Arenas" | "America/Rainy_River" | "America/Rankin_Inlet" | "America/Recife" | "America/Regina" | "America/Resolute" | "America/Rio_Branco" | "America/Rosario" | "America/Santa_Isabel" | "America/Santarem" | "America/Santiago" | "America/Santo_Domingo" | "America/Sao_Paulo" | "America/Scoresbysund" | "America/Shiprock" | "America/Sitka" | "America/St_Barthelemy" | "America/St_Johns" | "America/St_Kitts" | "America/St_Lucia" | "America/St_Thomas" | "America/St_Vincent" | "America/Swift_Current" | "America/Tegucigalpa" | "America/Thule" | "America/Thunder_Bay" | "America/Tijuana" | "America/Toronto" | "America/Tortola" | "America/Vancouver" | "America/Virgin" | "America/Whitehorse" | "America/Winnipeg" | "America/Yakutat" | "America/Yellowknife" | "Antarctica/Casey" | "Antarctica/Davis" | "Antarctica/DumontDUrville" | "Antarctica/Macquarie" | "Antarctica/Mawson" | "Antarctica/McMurdo" | "Antarctica/Palmer" | "Antarctica/Rothera" | "Antarctica/South_Pole" | "Antarctica/Syowa" | "Antarctica/Troll" | "Antarctica/Vostok" | "Arctic/Longyearbyen" | "Asia/Aden" | "Asia/Almaty" | "Asia/Amman" | "Asia/Anadyr" | "Asia/Aqtau" | "Asia/Aqtobe" | "Asia/Ashgabat" | "Asia/Ashkhabad" | "Asia/Atyrau" | "Asia/Baghdad" | "Asia/Bahrain" | "Asia/Baku" | "Asia/Bangkok" | "Asia/Barnaul" | "Asia/Beirut" | "Asia/Bishkek" | "Asia/Brunei" | "Asia/Calcutta" | "Asia/Chita" | "Asia/Choibalsan" | "Asia/Chongqing" | "Asia/Chungking" | "Asia/Colombo" | "Asia/Dacca" | "Asia/Damascus" | "Asia/Dhaka" | "Asia/Dili" | "Asia/Dubai" | "Asia/Dushanbe" | "Asia/Famagusta" | "Asia/Gaza" | "Asia/Harbin" | "Asia/Hebron" | "Asia/Ho_Chi_Minh" | "Asia/Hong_Kong" | "Asia/Hovd" | "Asia/Irkutsk" | "Asia/Istanbul" | "Asia/Jakarta" | "Asia/Jayapura" | "Asia/Jerusalem" | "Asia/Kabul" | "Asia/Kamchatka" | "Asia/Karachi" | "Asia/Kashgar" | "Asia/Kathmandu" | "Asia/Katmandu" | "Asia/Khandyga" | "Asia/Kolkata" | "Asia/Krasnoyarsk" | "Asia/Kuala_Lumpur" | "Asia/Kuching" | "Asia/Kuwait" | "Asia/Macao" | "Asia/Macau" | "Asia/Magadan" | "Asia/Makassar" | "Asia/Manila" | "Asia/Muscat" | "Asia/Nicosia" | "Asia/Novokuznetsk" | "Asia/Novosibirsk" | "Asia/Omsk" | "Asia/Oral" | "Asia/Phnom_Penh" | "Asia/Pontianak" | "Asia/Pyongyang" | "Asia/Qatar" | "Asia/Qostanay" | "Asia/Qyzylorda" | "Asia/Rangoon" | "Asia/Riyadh" | "Asia/Saigon" | "Asia/Sakhalin" | "Asia/Samarkand" | "Asia/Seoul" | "Asia/Shanghai" | "Asia/Singapore" | "Asia/Srednekolymsk" | "Asia/Taipei" | "Asia/Tashkent" | "Asia/Tbilisi" | "Asia/Tehran" | "Asia/Tel_Aviv" | "Asia/Thimbu" | "Asia/Thimphu" | "Asia/Tokyo" | "Asia/Tomsk" | "Asia/Ujung_Pandang" | "Asia/Ulaanbaatar" | "Asia/Ulan_Bator" | "Asia/Urumqi" | "Asia/Ust-Nera" | "Asia/Vientiane" | "Asia/Vladivostok" | "Asia/Yakutsk" | "Asia/Yangon" | "Asia/Yekaterinburg" | "Asia/Yerevan" | "Atlantic/Azores" | "Atlantic/Bermuda" | "Atlantic/Canary" | "Atlantic/Cape_Verde" | "Atlantic/Faeroe" | "Atlantic/Faroe" | "Atlantic/Jan_Mayen" | "Atlantic/Madeira" | "Atlantic/Reykjavik" | "Atlantic/South_Georgia" | "Atlantic/St_Helena" | "Atlantic/Stanley" | "Australia/ACT" | "Australia/Adelaide" | "Australia/Brisbane" | "Australia/Broken_Hill" | "Australia/Canberra" | "Australia/Currie" | "Australia/Darwin" | "Australia/Eucla" | "Australia/Hobart" | "Australia/LHI" | "Australia/Lindeman" | "Australia/Lord_Howe" | "Australia/Melbourne" | "Australia/North" | "Australia/NSW" | "Australia/Perth" | "Australia/Queensland" | "Australia/South" | "Australia/Sydney" | "Australia/Tasmania" | "Australia/Victoria" | "Australia/West" | "Australia/Yancowinna" | "Brazil/Acre" | "Brazil/DeNoronha" | "Brazil/East" | "Brazil/West" | "Canada/Atlantic" | "Canada/Central" | "Canada/Eastern" | "Canada/Mountain" | "Canada/Newfoundland" | "Canada/Pacific" | "Canada/Saskatchewan" | "Canada/Yukon" | "CET" | "Chile/Continental" | "Chile/EasterIsland" | "CST6CDT" | "Cuba" | "EET" | "Egypt" | "Eire" | "EST" | "EST5EDT" | "Etc/GMT" | "Etc/GMT+0" | "Etc/GMT+1" | "Etc/GMT+10" | "Etc/GMT+11" | "Etc/GMT+12" | "Etc/GMT+2" | "Etc/GMT+3" | "Etc/GMT+4" | "Etc/GMT+5" | "Etc/GMT+6" | "Etc/GMT+7" | "Etc/GMT+8" | "Etc/GMT+9" | "Etc/GMT-0" | "Etc/GMT-1" | "Etc/GMT-10" | "Etc/GMT-11" | "Etc/GMT-12" | "Etc/GMT-13" | "Etc/GMT-14" | "Etc/GMT-2" | "Etc/GMT-3" | "Etc/GMT-4" | "Etc/GMT-5" | "Etc/GMT-6" | "Etc/GMT-7" | "Etc/GMT-8" | "Etc/GMT-9" | "Etc/GMT0" | "Etc/Greenwich" | "Etc/UCT" | "Etc/Universal" | "Etc/UTC" | "Etc/Zulu" | "Europe/Amsterdam" | "Europe/Andorra" | "Europe/Astrakhan" | "Europe/Athens" | "Europe/Belfast" | "Europe/Belgrade" | "Europe/Berlin" | "Europe/Bratislava" | "Europe/Brussels" | "Europe/Bucharest" | "Europe/Budapest" | "Europe/Busingen" | "Europe/Chisinau" | "Europe/Copenhagen" | "Europe/Dublin" | "Europe/Gibraltar" | "Europe/Guernsey" | "Europe/Helsinki" | "Europe/Isle_of_Man" | "Europe/Istanbul" | "Europe/Jersey" | "Europe/Kaliningrad" | "Europe/Kiev" | "Europe/Kirov" | "Europe/Kyiv" | "Europe/Lisbon" | "Europe/Ljubljana" | "Europe/London" | "Europe/Luxembourg" | "Europe/Madrid" | "Europe/Malta" | "Europe/Mariehamn" | "Europe/Minsk" | "Europe/Monaco" | "Europe/Moscow" | "Europe/Nicosia" | "Europe/Oslo" | "Europe/Paris" | "Europe/Podgorica" | "Europe/Prague" | "Europe/Riga" | "Europe/Rome" | "Europe/Samara" | "Europe/San_Marino" | "Europe/Sarajevo" | "Europe/Saratov" | "Europe/Simferopol" | "Europe/Skopje" | "Europe/Sofia" | "Europe/Stockholm" | "Europe/Tallinn" | "Europe/Tirane" | "Europe/Tiraspol" | "Europe/Ulyanovsk" | "Europe/Uzhgorod" | "Europe/Vaduz" | "Europe/Vatican" | "Europe/Vienna" | "Europe/Vilnius" | "Europe/Volgograd" | "Europe/Warsaw" | "Europe/Zagreb" | "Europe/Zaporozhye" | "Europe/Zurich" | "Factory" | "GB" | "GB-Eire" | "GMT" | "GMT+0" | "GMT-0" | "GMT0" | "Greenwich" | "Hongkong" | "HST" | "Iceland" | "Indian/Antananarivo" | "Indian/Chagos" | "Indian/Christmas" | "Indian/Cocos" | "Indian/Comoro" | "Indian/Kerguelen" | "Indian/Mahe" | "Indian/Maldives" | "Indian/Mauritius" | "Indian/Mayotte" | "Indian/Reunion" | "Iran" | "Israel" | "Jamaica" | "Japan" | "Kwajalein" | "Libya" | "MET" | "Mexico/BajaNorte" | "Mexico/BajaSur" | "Mexico/General" | "MST" | "MST7MDT" | "Navajo" | "NZ" | "NZ-CHAT" | "Pacific/Apia" | "Pacific/Auckland" | "Pacific/Bougainville" | "Pacific/Chatham" | "Pacific/Chuuk" | "Pacific/Easter" | "Pacific/Efate" | "Pacific/Enderbury" | "Pacific/Fakaofo" | "Pacific/Fiji" | "Pacific/Funafuti" | "Pacific/Galapagos" | "Pacific/Gambier" | "Pacific/Guadalcanal" | "Pacific/Guam" | "Pacific/Honolulu" | "Pacific/Johnston" | "Pacific/Kanton" | "Pacific/Kiritimati" | "Pacific/Kosrae" | "Pacific/Kwajalein" | "Pacific/Majuro" | "Pacific/Marquesas" | "Pacific/Midway" | "Pacific/Nauru" | "Pacific/Niue" | "Pacific/Norfolk" | "Pacific/Noumea" | "Pacific/Pago_Pago" | "Pacific/Palau" | "Pacific/Pitcairn" | "Pacific/Pohnpei" | "Pacific/Ponape" | "Pacific/Port_Moresby" | "Pacific/Rarotonga" | "Pacific/Saipan" | "Pacific/Samoa" | "Pacific/Tahiti" | "Pacific/Tarawa" | "Pacific/Tongatapu" | "Pacific/Truk" | "Pacific/Wake" | "Pacific/Wallis" | "Pacific/Yap" | "Poland" | "Portugal" | "PRC" | "PST8PDT" | "ROC" | "ROK" | "Singapore" | "Turkey" | "UCT" | "Universal" | "US/Alaska" | "US/Aleutian" | "US/Arizona" | "US/Central" | "US/East-Indiana" | "US/Eastern" | "US/Hawaii" | "US/Indiana-Starke" | "US/Michigan" | "US/Mountain" | "US/Pacific" | "US/Samoa" | "UTC" | "W-SU" | "WET" | "Zulu";
        TokenResponse: {
            access_token: string;
            /**
             * Format: uint64
             * @description Seconds until the access token expires.
             */
            expires_in: number;
            refresh_token: string;
            /** @description Always `Bearer`. */
            token_type: string;
            user: components["schemas"]["UserView"];
        };
        ToolCall: {
            function: components["schemas"]["FunctionCall"];
            id: string;
        };
        ToolCallOut: {
            function: components["schemas"]["FunctionOut"];
            id: string;
            /** @description `function` */
            type: string;
        };
        /** @description `tool`: a tool call being made (arguments arrive in pieces) or its result. */
        ToolEvent: {
            arguments_delta?: string | null;
            id: string;
            name: string;
            result?: string | null;
        };
        /** @description The busiest agents over the window. */
        TopAgents: {
            /** @description Up to 10 agents, most requests first. */
            by_requests: components["schemas"]["AgentStats"][];
            /** @description Up to 10 agents, most tokens first. */
            by_tokens: components["schemas"]["AgentStats"][];
        };
        /** @description The form: one file. */
        UploadForm: {
            /**
             * Format: binary
             * @description The file, with its name (the extension must match the content).
             */
            file: string;
        };
        /**
         * @description What an upload is to a conversation.
         * @enum {string}
         */
        UploadKind: "image" | "text";
        /** @description What the caller's uploads take, against the quota. */
        UploadUsage: {
            /** Format: int64 */
            files: number;
            /**
             * Format: uint64
             * @description `uploads.quota_per_user` in bytes.
             */
            quota_bytes: number;
            /**
             * Format: uint64
             * @description `uploads.retention` in seconds: uploads older than this are deleted; absent when they
             *     are kept.
             */
            retention_seconds?: number | null;
            /**
             * Format: int64
             * @description Bytes stored.
             */
            used_bytes: number;
        };
        /** @description A stored upload (without its bytes). */
        UploadView: {
            created_at: string;
            id: string;
            kind: components["schemas"]["UploadKind"];
            /** @description The type established from the content, such as `image/png` or `text/markdown`. */
            mime: string;
            name: string;
            /**
             * Format: int64
             * @description Bytes.
             */
            size: number;
        };
        /** @description A remote provider: where it is, how to authenticate, how patient to be. */
        UpstreamDef: {
            /** @description Write-only: reads show `********` when a key is set. */
            api_key?: string | null;
            /** @description FastGPT's app id (for the opening data). */
            app_id?: string | null;
            /** @description An absolute http(s) URL. */
            base_url: string;
            /** @description A duration such as `10s`. */
            connect_timeout?: string | null;
            /** @description Extra headers sent with every request. */
            headers?: {
                [key: string]: string;
            };
            /** @description Longest silence between two chunks of a stream (`60s`). */
            idle_timeout?: string | null;
            /**
             * Format: uint32
             * @description Retries before the first token (connect errors, 429, 5xx).
             */
            max_retries?: number | null;
            /** @description The model (openai, anthropic); app-style providers ignore it. */
            model?: string | null;
        };
        UpstreamFailure: {
            code?: string | null;
            kind: components["schemas"]["FailureKind"];
            /** @description What went wrong, as a sentence naming the URL tried. */
            message: string;
            /**
             * Format: uint32
             * @description The upstream's HTTP status, when it answered with one.
             */
            status?: number | null;
        };
        UsageCounts: {
            /** Format: uint64 */
            completion_tokens: number;
            /** Format: uint64 */
            prompt_tokens: number;
            /** Format: uint64 */
            total_tokens: number;
        };
        /** @description One day and agent of a user's usage. */
        UsageDay: {
            agent_id: string;
            /** Format: int64 */
            completion_tokens: number;
            /** @description `YYYY-MM-DD` in the report's time zone. */
            day: string;
            /** Format: int64 */
            errors: number;
            /** Format: int64 */
            prompt_tokens: number;
            /** Format: int64 */
            requests: number;
        };
        /** @description `usage`: token counts; `estimated` when the upstream gave none. */
        UsageEvent: {
            /** Format: uint64 */
            completion_tokens: number;
            estimated: boolean;
            /** Format: uint64 */
            prompt_tokens: number;
        };
        /** @description One group of the admin usage report. */
        UsageGroup: {
            /**
             * Format: int64
             * @description Mean time to first token over the requests that recorded one, in ms (rounded).
             */
            avg_ttft_ms?: number | null;
            /** Format: int64 */
            completion_tokens: number;
            /**
             * Format: double
             * @description `errors / requests`.
             */
            error_rate: number;
            /** Format: int64 */
            errors: number;
            /** @description The user id, agent id or day (`YYYY-MM-DD`); null for requests without a user. */
            key?: string | null;
            /**
             * Format: int64
             * @description 95th percentile (nearest rank) of the time to first token, in ms.
             */
            p95_ttft_ms?: number | null;
            /** Format: int64 */
            prompt_tokens: number;
            /** Format: int64 */
            requests: number;
            /** @description With `group_by=user`: the user's name (null for requests without a user). */
            username?: string | null;
        };
        UsageOut: {
            /** Format: uint64 */
            input_tokens: number;
            /** Format: uint64 */
            output_tokens: number;
        };
        /** @description `GET /api/usage`. */
        UsageReport: {
            /** @description The window, RFC 3339: `from` inclusive, `to` exclusive. */
            from: string;
            /** @description By day, then agent. */
            items: components["schemas"]["UsageDay"][];
            to: string;
            totals: components["schemas"]["UsageTotals"];
            /** @description The IANA time zone of `day`. */
            tz: string;
        };
        /** @description Request, token and error counts. */
        UsageTotals: {
            /** Format: int64 */
            completion_tokens: number;
            /**
             * Format: int64
             * @description Requests that ended in an error.
             */
            errors: number;
            /** Format: int64 */
            prompt_tokens: number;
            /** Format: int64 */
            requests: number;
        };
        /** @description Accounts. */
        UserCounts: {
            /**
             * Format: int64
             * @description Of those, the ones who signed in or made a request in the last 7 days.
             */
            active_7d: number;
            /**
             * Format: int64
             * @description Accounts not deleted.
             */
            total: number;
        };
        UserPatch: {
            disabled?: boolean | null;
            /** @description A new password (a reset); the user's sessions are revoked. */
            password?: string | null;
            role?: components["schemas"]["Role"] | null;
        };
        /** @description A user as the API shows it (never the password hash). */
        UserView: {
            /** @description RFC 3339, UTC. */
            created_at: string;
            disabled: boolean;
            display_name?: string | null;
            email?: string | null;
            id: string;
            last_login_at?: string | null;
            role: components["schemas"]["Role"];
            username: string;
        };
        Version: {
            /** @description RFC 3339, UTC. */
            build_time: string;
            environment: string;
            /** @description Cargo features compiled in. */
            features: string[];
            git_commit: string;
            rustc: string;
            version: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    admin_list_agents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description all agents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAgentList"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_agent: {
        parameters: {
            query?: {
                force?: boolean | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description an agent definition, as in agents.yaml */
        requestBody: {
            content: {
                "application/json": components["schemas"]["AgentDef"];
            };
        };
        responses: {
            /** @description created (disabled if its connection test failed without force); `connection_test` says how the test went */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAgentView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an agent with this id exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the definition is not valid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    admin_get_agent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the agent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAgentView"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    put_agent: {
        parameters: {
            query?: {
                force?: boolean | null;
            };
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        /** @description the full agent definition; an `api_key` that is absent or `********` keeps the current key */
        requestBody: {
            content: {
                "application/json": components["schemas"]["AgentDef"];
            };
        };
        responses: {
            /** @description stored (disabled if its connection test failed without force) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminAgentView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the definition is not valid, or its id differs from the path */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_agent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description defined in the agents file, or other agents fall back to it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_agent_access: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the agent's groups (empty: everyone) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentAccess"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    put_agent_access: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AgentAccessRequest"];
            };
        };
        responses: {
            /** @description the agent's groups now */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentAccess"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an unknown group */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    test_agent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the outcome, successful or not */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConnectionTest"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_provider_models: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ModelsRequest"];
            };
        };
        responses: {
            /** @description the provider's models, sorted by id */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelsView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a provider type without a model list (FastGPT, Dify, demo), or a base URL that is not an http(s) URL or is a link-local or cloud metadata address */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the provider failed; the message says how, naming the URL */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_audit_entries: {
        parameters: {
            query?: {
                /** @description Action such as `auth.login` or `admin.user_update`. */
                action?: string | null;
                /** @description Actor user id. */
                actor?: string | null;
                /** @description The `next_cursor` of the previous page. */
                cursor?: string | null;
                /** @description RFC 3339; entries at or after. */
                from?: string | null;
                /** @description Items per page, 1–200 (default 50). */
                limit?: number | null;
                /** @description RFC 3339; entries before. */
                to?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page of audit entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_AuditView"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad from/to/cursor */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_budgets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every budget */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetList"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    put_budget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the user's or group's id */
                id: string;
                /** @description `user` or `group` */
                scope: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BudgetRequest"];
            };
        };
        responses: {
            /** @description the budget as stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BudgetView"];
                };
            };
            /** @description both limits null: the budget was removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such scope, user or group */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a limit that is not positive or too large (`field` says which) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_budget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the user's or group's id */
                id: string;
                /** @description `user` or `group` */
                scope: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed (or there was none) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such scope, user or group */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_groups: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the groups */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GroupList"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_group: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewGroup"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GroupDetail"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad name or description */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_group: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the group */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GroupDetail"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such group */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_group: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such group */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an agent is restricted to this group alone */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    patch_group: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description group id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["GroupPatch"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GroupDetail"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such group */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad name or description */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    add_member: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description group id */
                id: string;
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the user is a member */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such group or user */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    remove_member: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description group id */
                id: string;
                /** @description user id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such group, or the user is not a member */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_invitations: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page. */
                cursor?: string | null;
                /** @description Items per page, 1–200 (default 50). */
                limit?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page of invitations (without their codes) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_InvitationView"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_invitation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewInvitationRequest"];
            };
        };
        responses: {
            /** @description created; the code is shown only now */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedInvitation"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description expiry out of range, note too long, or an unknown group (`field: groups`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    revoke_invitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description invitation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such invitation */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description already used or revoked */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    preview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the counts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LifecyclePreview"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    run_now: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description what was deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Swept"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_prices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every price, by model */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PriceList"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    put_price: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PriceRequest"];
            };
        };
        responses: {
            /** @description the price as stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PriceView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an empty model name or a price that is negative or too large (`field` says which) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_price: {
        parameters: {
            query: {
                /** @description The model whose price to remove. */
                model: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no price for this model */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the settings in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServerSettingsView"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    patch_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ServerSettingsPatch"];
            };
        };
        responses: {
            /** @description the settings now in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServerSettingsView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an unknown mode */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_admin_stats: {
        parameters: {
            query?: {
                /** @description Days in the per-day series and the window of the top lists (1–90, default 14). */
                days?: number | null;
                /** @description IANA time zone of the days; default UTC. */
                tz?: components["schemas"]["TimeZoneName"] | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the figures */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminStats"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad days or tz */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_admin_usage: {
        parameters: {
            query?: {
                /** @description As for `/api/usage`. */
                from?: components["schemas"]["DateOrTimestamp"] | null;
                /** @description `user`, `agent` or `day`. */
                group_by?: components["schemas"]["GroupBy"] | null;
                to?: components["schemas"]["DateOrTimestamp"] | null;
                tz?: components["schemas"]["TimeZoneName"] | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the groups and totals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUsageReport"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad group_by, from, to or tz */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_users: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page. */
                cursor?: string | null;
                /** @description Items per page, 1–200 (default 50). */
                limit?: number | null;
                /** @description Substring of the username or email. */
                q?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page of users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_UserView"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_user: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUserRequest"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description username or email taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description invalid username, email or password */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such user */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description this would leave no active admin */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    update_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserPatch"];
            };
        };
        responses: {
            /** @description the updated user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such user */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description this would leave no active admin */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the new password breaks the policy */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_agents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description agents visible to the caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentList"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_agent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the agent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent for the caller */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    agent_init: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description agent id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description opening data */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppInit"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent for the caller */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the app's provider failed */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    reload_agents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description reloaded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReloadResult"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the agents are not valid; nothing changed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvalidConfiguration"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    export: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the archive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/zip": number[];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an API key (the export takes a signed-in session) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description signed in; the refresh token is also set as an httpOnly cookie */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description invalid username or password */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the account is disabled, or passwords are switched off on this server (`password_login_disabled`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a username longer than 254 characters or a password longer than 1024 characters (`field` says which) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description too many failed logins on this account from this address: wait `Retry-After` seconds (other addresses are not affected) */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description too many attempts from this address */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description too many password checks at once; `Retry-After` says when to retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description optional when the cookie is sent */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"] | null;
            };
        };
        responses: {
            /** @description signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the JSON body does not match the documented schema */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    logout_everywhere: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every session of the user signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description API keys cannot sign out sessions */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the current user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_account: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeleteAccountRequest"];
            };
        };
        responses: {
            /** @description scheduled */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletionScheduled"];
                };
            };
            /** @description deleted at once (no grace period configured); the refresh cookie is cleared */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in, or the password (for an account without one, the username) is wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an API key (deleting the account takes a signed-in session) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the last active admin */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the JSON body does not match the documented schema */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    patch_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MePatch"];
            };
        };
        responses: {
            /** @description the user as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description instructions too long */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    cancel_deletion: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the account stays */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no deletion was scheduled */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    callback: {
        parameters: {
            query?: {
                code?: string | null;
                /** @description Set by the provider when the person cancelled or was refused. */
                error?: string | null;
                error_description?: string | null;
                state?: string | null;
            };
            header?: never;
            path: {
                /** @description the provider's id */
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed in (the refresh token set as an httpOnly cookie) and sent to the page the sign-in started from; or sent to `/login?sso_error=<code>` (with `&next=` the page the sign-in started from, when known): `denied`, `state_mismatch`, `state_unknown` (used, replayed or expired), `provider_unavailable`, `token_rejected`, `no_account`, `invitation_required`, `invitation_unknown`, `account_disabled`, `server_error` */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no provider has this id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    start: {
        parameters: {
            query?: {
                /** @description The code of an invitation link: a new account gets its role and groups. */
                invite_code?: string | null;
                /** @description Where to go after signing in: a path on this server (default `/`). */
                return_to?: string | null;
            };
            header?: never;
            path: {
                /** @description the provider's id (`auth.oidc[].id`) */
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description to the provider's sign-in page; or, when the provider cannot be reached, to `/login?sso_error=provider_unavailable` */
            303: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no provider has this id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    change_password: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordChange"];
            };
        };
        responses: {
            /** @description changed; other sessions (and with `revoke_api_keys`, every API key) revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in, or the current password is wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description API keys cannot change passwords */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the new password breaks the policy */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description too many password changes for this user; `Retry-After` says when to retry */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description too many password checks at once; `Retry-After` says when to retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description optional when the cookie is sent */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"] | null;
            };
        };
        responses: {
            /** @description a new token pair */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description missing, unknown, expired, revoked or reused refresh token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the JSON body does not match the documented schema */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterRequest"];
            };
        };
        responses: {
            /** @description account created and signed in */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenResponse"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description registration is closed (`registration_closed`), or passwords are switched off (`password_login_disabled`: sign in with single sign-on) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no usable invitation has this code (`field`: `invite_code`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description username or email taken (`field` says which) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description invalid username, email or password, or no code where registration is by invitation (`field` says which) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description too many password checks at once; `Retry-After` says when to retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    registration_info: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the registration mode in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RegistrationInfo"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    session: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description who is calling */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionView"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    reload_config: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description reloaded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Outcome"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the configuration or the agents are not valid; nothing changed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReloadRefused"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_conversations: {
        parameters: {
            query?: {
                agent_id?: string | null;
                archived?: boolean | null;
                /** @description The `next_cursor` of the previous page. */
                cursor?: string | null;
                /** @description Items per page, 1–200 (default 50). */
                limit?: number | null;
                /** @description A substring of the title or of any message (Chinese included). */
                q?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_ConversationView"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_conversation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewConversation"];
            };
        };
        responses: {
            /** @description created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such agent for the caller (`field`: `agent_id`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad title */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_conversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_conversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    update_conversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConversationChanges"];
            };
        };
        responses: {
            /** @description the changed conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's, no such agent for the caller or no such message in the conversation (`field` says which) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad title */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    export_conversation: {
        parameters: {
            query?: {
                /** @description `markdown` (default; also `md`) or `json`. */
                format?: components["schemas"]["ExportFormat"] | null;
            };
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the export: Markdown, or with `format=json` JSON */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationExport"];
                    "text/markdown": string;
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an unknown format */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_messages: {
        parameters: {
            query?: {
                /** @description The whole tree instead of the active branch. */
                all?: boolean | null;
            };
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the messages, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageList"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    send_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMessage"];
            };
        };
        responses: {
            /** @description SSE events start, delta, reasoning, replace, status, interactive, citation, tool, usage, done, error — each with `id: <message_id>:<seq>`; or the answer as JSON with stream: false */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageView"];
                    "text/event-stream": components["schemas"]["SseEvent"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a turn is already running here */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description empty content, a bad parent or attachment, or an unavailable agent */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a rate limit, agent limit or quota; the message names it */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_conversation_shares: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the links, live or not */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShareList"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_share: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewShareRequest"];
            };
        };
        responses: {
            /** @description the link */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShareView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description nothing to share yet, or a bad expiry */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    stop_turn: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description stopping; the stream ends with done {status: stopped} */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Stopped"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no turn is running */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    attach_stream: {
        parameters: {
            query?: never;
            header?: {
                /** @description `<message_id>:<seq>` of the last event received */
                "Last-Event-ID"?: string | null;
            };
            path: {
                /** @description conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description SSE events as for sending a message */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["SseEvent"];
                };
            };
            /** @description no turn running or held */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such conversation of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ok or degraded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description down */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    database: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the database answers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatabaseHealth"];
                };
            };
            /** @description METRICS_TOKEN is set and was not presented */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description production without METRICS_TOKEN (`metrics_token_required`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the database is unreachable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatabaseHealth"];
                };
            };
        };
    };
    live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the process serves requests */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Probe"];
                };
            };
        };
    };
    ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready for traffic */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Probe"];
                };
            };
            /** @description not ready, with the reason */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Probe"];
                };
            };
        };
    };
    list_keys: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page. */
                cursor?: string | null;
                /** @description Items per page, 1–200 (default 50). */
                limit?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page of keys (never the secrets) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_ApiKeyView"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description API keys cannot manage API keys */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an invalid cursor or limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_key: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewApiKeyRequest"];
            };
        };
        responses: {
            /** @description the new key, shown this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedApiKey"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description API keys cannot create keys, and only admins may ask for the `admin` scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the user already has `auth.max_api_keys_per_user` working keys */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description invalid name, expiry, agent list or scopes */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    revoke_all_keys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every key revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevokedKeys"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description API keys cannot manage API keys */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    revoke_key: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description key id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description API keys cannot manage API keys */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such key of yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    rate_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description message id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewFeedback"];
            };
        };
        responses: {
            /** @description saved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FeedbackView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such message of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad rating, a long comment, or not an answer */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    regenerate_message: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description message id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["Regenerate"] | null;
            };
        };
        responses: {
            /** @description SSE events as for sending a message, or the answer as JSON */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageView"];
                    "text/event-stream": components["schemas"]["SseEvent"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such message of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a turn is already running here */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the JSON body does not match the documented schema */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_presets: {
        parameters: {
            query?: {
                /** @description Only the presets for this agent (and the caller's presets for any agent). */
                agent_id?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the presets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresetList"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a query parameter is out of range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_preset: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewPresetRequest"];
            };
        };
        responses: {
            /** @description saved */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresetView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description `shared` from someone who is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an agent the caller may not use (`field: agent_id`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the caller already keeps 200 presets */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an empty or too long title or text; `shared` without an agent */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_preset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description preset id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a shared preset, and the caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such preset of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    update_preset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description preset id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PresetPatch"];
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PresetView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a shared preset, and the caller is not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such preset of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an empty or too long title or text */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    open_share: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the link's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the snapshot */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SharedConversation"];
                };
            };
            /** @description a members-only link, opened without signing in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such link, or it was revoked or has expired */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_shares: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the links, live or not */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShareList"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    revoke_share: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the link's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description revoked (or was already) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no, an expired or an invalid access token or API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such link of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    list_uploads: {
        parameters: {
            query?: {
                /** @description The `next_cursor` of the previous page. */
                cursor?: string | null;
                /** @description Items per page, 1–200 (default 50). */
                limit?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page of the caller's uploads */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Page_UploadView"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description an invalid cursor or limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_upload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["UploadForm"];
            };
        };
        responses: {
            /** @description stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadView"];
                };
            };
            /** @description the body cannot be read (malformed JSON or multipart) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description larger than uploads.max_size, or past the user's uploads.quota_per_user (`upload_quota_exceeded`); the message names the limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not multipart, or a file type that is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no file, an empty file, or content that does not match the name */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_upload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description upload id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the bytes, with the stored Content-Type and a Content-Disposition naming the file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such upload of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    delete_upload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description upload id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description no such upload of the caller's */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    upload_usage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the caller's upload usage */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadUsage"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    get_usage: {
        parameters: {
            query?: {
                /**
                 * @description RFC 3339 date (`2026-11-01`, the start of that day) or timestamp; default: 29 days
                 *     before the day of `to`, so that 30 days are shown.
                 */
                from?: components["schemas"]["DateOrTimestamp"] | null;
                /** @description RFC 3339 date (`2026-11-30`, including that day) or timestamp (exclusive); default now. */
                to?: components["schemas"]["DateOrTimestamp"] | null;
                /** @description IANA time zone of the days, such as `Asia/Shanghai`; default UTC. */
                tz?: components["schemas"]["TimeZoneName"] | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description usage per day and agent, and totals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageReport"];
                };
            };
            /** @description a query parameter cannot be parsed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description a bad from, to or tz, or a range over 366 days */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    my_budgets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the user's budgets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MyBudgets"];
                };
            };
            /** @description not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    version: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description build facts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Version"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain; version=0.0.4": string;
                };
            };
            /** @description METRICS_TOKEN is set and was not presented */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
            /** @description production without METRICS_TOKEN (`metrics_token_required`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"];
                };
            };
        };
    };
    create_chat_completion: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChatCompletionRequest"];
            };
        };
        responses: {
            /** @description the reply, or its chunk stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatCompletion"];
                };
            };
            /** @description malformed request, or tools for an agent that cannot take them */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description no or bad API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description unknown model, or not allowed for this key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description the JSON body does not match the documented schema */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description rate limit, agent limit or quota (with Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description the agent's provider failed */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
    create_message: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MessagesRequest"];
            };
        };
        responses: {
            /** @description the message, or its event stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessageOut"];
                };
            };
            /** @description malformed request, or tools for an agent that cannot take them */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
            /** @description no or bad API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
            /** @description unknown model, or not allowed for this key */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
            /** @description the body is larger than the server accepts */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
            /** @description the body is not of the documented content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
            /** @description the JSON body does not match the documented schema */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
            /** @description rate limit, agent limit or quota (with Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
            /** @description the agent's provider failed */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnthropicError"];
                };
            };
        };
    };
    list_models: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAI's list (Anthropic's with `anthropic-version`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description no or bad API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
            /** @description over the rate limit (see the Retry-After header) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenAiError"];
                };
            };
        };
    };
}
