# shellcheck shell=bash
# deploy.sh --target compose: the backend service of docker-compose.yml (container
# llmchat-production, image ${BACKEND_IMAGE:-llmchat:latest}). Rollback re-tags the image that
# served before the deploy (kept as llmchat:previous) and recreates the container.
# Recreating one container is not zero-downtime (a few seconds without a backend); the local
# and k8s targets are.

compose_init() {
    COMPOSE_FILE_PATH=${COMPOSE_FILE_PATH:-$SOURCE_DIR/docker-compose.yml}
    if [[ -n ${COMPOSE_CMD:-} ]]; then
        read -r -a COMPOSE <<<"$COMPOSE_CMD"
    elif have docker-compose; then
        COMPOSE=(docker-compose)
    else
        COMPOSE=(docker compose)
    fi
    COMPOSE+=(-f "$COMPOSE_FILE_PATH")
    IMAGE=${BACKEND_IMAGE:-llmchat:latest}
    IMAGE_REPO=${IMAGE%:*}
    PREVIOUS_IMAGE=$IMAGE_REPO:previous
    CONTAINER=llmchat-production
    COMPOSE_URL=${LLMCHAT_URL:-http://localhost:3001}
    # The server's environment (docker-compose.yml: LLMCHAT_ENV, default production) is the
    # one config/deployment.yml gives this environment, for deploys and rollbacks alike.
    LLMCHAT_ENV=$(deployment_get llmchat_env)
    export LLMCHAT_ENV=${LLMCHAT_ENV:-$ENVIRONMENT}
    if ((!DRY_RUN)); then
        need_tool docker docker.io
        [[ -r $COMPOSE_FILE_PATH ]] || fail "$EX_FAILED" "no compose file at $COMPOSE_FILE_PATH"
    fi
}

image_exists() { ((DRY_RUN)) || docker image inspect "$1" >/dev/null 2>&1; }

container_health() {
    local out
    # (A missing container may still print an empty line before failing.)
    out=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$CONTAINER" 2>/dev/null) || out=missing
    echo "${out:-missing}"
}

# Until the container's HEALTHCHECK says healthy and health-check.sh agrees, within TIMEOUT.
compose_wait_healthy() {
    run_note "wait up to ${TIMEOUT}s: docker inspect $CONTAINER health = healthy, and health-check.sh $ENVIRONMENT --url $COMPOSE_URL --component api"
    ((DRY_RUN)) && return 0
    local hc=$SCRIPT_DIR/../monitoring/health-check.sh
    # shellcheck disable=SC2016 # expanded by the inner bash
    if wait_until "$TIMEOUT" bash -c '[[ $(docker inspect -f "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}" "$1" 2>/dev/null) == healthy ]]' _ "$CONTAINER" &&
        wait_until 10 "$hc" "$ENVIRONMENT" --url "$COMPOSE_URL" --component api --timeout 3 >/dev/null 2>&1; then
        return 0
    fi
    WHY="the backend is not healthy after ${TIMEOUT}s (container $CONTAINER: $(container_health)); see: ${COMPOSE[*]} logs backend"
    return 1
}

compose_backup() {
    step "backup before migrating (scripts/backup/backup.sh, PostgreSQL in the postgres container)"
    local rc=0
    run "$SCRIPT_DIR/../backup/backup.sh" "$ENVIRONMENT" --pg-container postgres --no-redis \
        --dir "$BACKUP_DIR" --keep "$BACKUP_KEEP" --url "$COMPOSE_URL" >/dev/null || rc=$?
    ((rc == 0)) || fail "$EX_FAILED" "the backup failed (backup.sh exit $rc); nothing was changed"
}

compose_deploy() {
    local version=$1
    step "compose deploy of $version ($ENVIRONMENT, $COMPOSE_FILE_PATH, LLMCHAT_ENV=$LLMCHAT_ENV)"
    export VERSION=$version GIT_COMMIT=${GIT_COMMIT:-$(git -C "$SOURCE_DIR" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
    run "${COMPOSE[@]}" config -q || fail "$EX_FAILED" "the compose file is not valid (see above)"
    preflight_checks
    local running=0
    if ((!DRY_RUN)) && [[ $(container_health) != missing ]]; then running=1; fi
    ((!DO_BACKUP)) || compose_backup
    step "build the image ($IMAGE, VERSION=$VERSION GIT_COMMIT=$GIT_COMMIT)"
    if image_exists "$IMAGE"; then
        run docker tag "$IMAGE" "$PREVIOUS_IMAGE"
    fi
    run "${COMPOSE[@]}" build backend || fail "$EX_FAILED" "the image build failed; nothing was changed"
    run docker tag "$IMAGE" "$IMAGE_REPO:$version"
    # Migrations: the new container applies them at start-up (database.auto_migrate) and
    # stays unready (so unhealthy) when they fail; the image then goes back below. A one-off
    # `docker-compose run ... migrate` would fail earlier, but compose v1 cannot run one-off
    # containers on podman (links), and the schema is forward-only either way: --backup is
    # the way back from a migration.
    info "migrations: applied by the new container at start-up (database.auto_migrate)"
    step "replace the backend container"
    if ((running)) || ((DRY_RUN)); then
        run "${COMPOSE[@]}" up -d --no-deps --build backend
    else
        run "${COMPOSE[@]}" up -d
    fi
    if ! compose_wait_healthy; then
        image_exists "$PREVIOUS_IMAGE" || fail "$EX_BROKEN" "$WHY; there is no previous image ($PREVIOUS_IMAGE) to go back to"
        warn "$WHY"
        step "rolling back to $PREVIOUS_IMAGE"
        run docker tag "$PREVIOUS_IMAGE" "$IMAGE"
        run "${COMPOSE[@]}" up -d --no-deps backend
        compose_wait_healthy || fail "$EX_BROKEN" "the rollback to $PREVIOUS_IMAGE is not healthy either: $WHY"
        fail "$EX_ROLLED_BACK" "release $version was not healthy; rolled back to the previous image, which serves now"
    fi
    step "release $version serves on $COMPOSE_URL"
}

compose_rollback() {
    step "compose rollback: $PREVIOUS_IMAGE -> $IMAGE"
    image_exists "$PREVIOUS_IMAGE" || fail "$EX_FAILED" "no previous image $PREVIOUS_IMAGE to roll back to (deploy.sh keeps one per deploy)"
    # Swap, so that a second --rollback returns to where we are now.
    run docker tag "$IMAGE" "$IMAGE_REPO:rollback-tmp"
    run docker tag "$PREVIOUS_IMAGE" "$IMAGE"
    run docker tag "$IMAGE_REPO:rollback-tmp" "$PREVIOUS_IMAGE"
    run docker rmi "$IMAGE_REPO:rollback-tmp"
    run "${COMPOSE[@]}" up -d --no-deps backend
    compose_wait_healthy || fail "$EX_BROKEN" "after the rollback: $WHY"
    step "rolled back: the previous image serves on $COMPOSE_URL"
}

compose_status() {
    run "${COMPOSE[@]}" ps
    "$SCRIPT_DIR/../monitoring/health-check.sh" "$ENVIRONMENT" --url "$COMPOSE_URL" --component api || true
}
