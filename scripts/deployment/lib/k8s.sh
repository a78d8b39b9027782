# shellcheck shell=bash
# deploy.sh --target k8s: kubectl apply -k k8s/overlays/<env>, then a rolling update watched
# with `kubectl rollout status` and undone with `kubectl rollout undo` when it does not
# complete or the service is not healthy afterwards. Zero downtime comes from the Deployment
# (maxUnavailable 0, readiness on /api/health/ready, preStop pause + drain).

k8s_init() {
    KUBECTL=(kubectl)
    local context
    context=${KUBE_CONTEXT:-$(deployment_get kube_context)}
    [[ -z $context ]] || KUBECTL+=(--context "$context")
    NAMESPACE=$(deployment_get kubernetes.namespace)
    NAMESPACE=${NAMESPACE:-llmchat}
    K8S_DEPLOYMENT=$(deployment_get kubernetes.deployment)
    K8S_DEPLOYMENT=${K8S_DEPLOYMENT:-llmchat-backend}
    K8S_CONTAINER=$(deployment_get kubernetes.container)
    K8S_CONTAINER=${K8S_CONTAINER:-llmchat-backend}
    K8S_IMAGE_REPO=$(deployment_get image.repository)
    K8S_IMAGE_REPO=${K8S_IMAGE_REPO:-llmchat}
    OVERLAY=k8s/overlays/$ENVIRONMENT
    K8S_URL=${LLMCHAT_URL:-$(deployment_get health.base_url)}
    if ((!DRY_RUN)); then
        need_tool kubectl kubectl
        [[ -d $SOURCE_DIR/$OVERLAY ]] || fail "$EX_FAILED" "no overlay $SOURCE_DIR/$OVERLAY"
    fi
}

k8s_health() {
    [[ -n $K8S_URL ]] || { info "no health.base_url for $ENVIRONMENT in config/deployment.yml: skipping the HTTP check"; return 0; }
    run_note "wait up to ${TIMEOUT}s: health-check.sh $ENVIRONMENT --url $K8S_URL --component api"
    ((DRY_RUN)) && return 0
    wait_until "$TIMEOUT" "$SCRIPT_DIR/../monitoring/health-check.sh" "$ENVIRONMENT" --url "$K8S_URL" --component api --timeout 3 >/dev/null 2>&1
}

k8s_undo() {
    warn "$1"
    step "rolling back: kubectl rollout undo"
    run "${KUBECTL[@]}" rollout undo "deployment/$K8S_DEPLOYMENT" -n "$NAMESPACE" ||
        fail "$EX_BROKEN" "kubectl rollout undo failed: $1"
    run "${KUBECTL[@]}" rollout status "deployment/$K8S_DEPLOYMENT" -n "$NAMESPACE" --timeout="${TIMEOUT}s" ||
        fail "$EX_BROKEN" "the rollback did not complete either: $1"
    fail "$EX_ROLLED_BACK" "$1; rolled back to the previous ReplicaSet"
}

k8s_deploy() {
    step "k8s deploy to $ENVIRONMENT (${KUBECTL[*]}, namespace $NAMESPACE)"
    # Rendering changes nothing, so it runs in a dry run too (when kubectl and the overlay
    # are there).
    if have kubectl && [[ -d $SOURCE_DIR/$OVERLAY ]]; then
        local objects
        objects=$(cd "$SOURCE_DIR" && kubectl kustomize "$OVERLAY" 2>"$WORK/kustomize.err" | grep -c '^kind:') ||
            fail "$EX_FAILED" "$OVERLAY does not render: $(head -n 3 "$WORK/kustomize.err")"
        info "kubectl kustomize $OVERLAY: $objects objects"
    else
        run_note "kubectl kustomize $OVERLAY"
    fi
    preflight_checks
    if ((DO_BACKUP)); then
        step "backup before migrating: a Job from the llmchat-backup CronJob"
        local job
        job=llmchat-backup-predeploy-$(date -u +%Y%m%d%H%M%S)
        run "${KUBECTL[@]}" create job "$job" --from=cronjob/llmchat-backup -n "$NAMESPACE" ||
            fail "$EX_FAILED" "cannot start the backup Job; nothing was changed"
        run "${KUBECTL[@]}" wait --for=condition=complete "job/$job" -n "$NAMESPACE" --timeout="${TIMEOUT}s" ||
            fail "$EX_FAILED" "the backup Job $job did not complete; nothing was changed"
    fi
    local apply_dir=$OVERLAY
    if ((VERSION_GIVEN)); then
        # The version goes into the applied manifests (one kustomization over the overlay that
        # sets the image), not into a `kubectl set image` afterwards: one apply, one rollout,
        # one ReplicaSet revision, so that `rollout undo` returns to the previous release.
        # Image tags carry no "v" (the release workflow tags ghcr.io/<owner>/llmchat:1.2.3).
        apply_dir=$WORK/release
        mkdir -p "$apply_dir"
        cat >"$apply_dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [$(realpath --relative-to="$apply_dir" "$SOURCE_DIR/$OVERLAY")]
images:
  - name: $K8S_IMAGE_REPO
    newTag: "${VERSION#v}"
EOF
        info "image $K8S_IMAGE_REPO:${VERSION#v} over $OVERLAY ($apply_dir/kustomization.yaml)"
        if have kubectl; then
            local images
            images=$(kubectl kustomize "$apply_dir" 2>"$WORK/kustomize.err" | sed -n 's/^ *image: *//p' | sort -u | tr '\n' ' ') ||
                fail "$EX_FAILED" "the release does not render: $(head -n 3 "$WORK/kustomize.err")"
            [[ $images == *"$K8S_IMAGE_REPO:${VERSION#v} "* ]] ||
                fail "$EX_FAILED" "the rendered release runs '$images', not $K8S_IMAGE_REPO:${VERSION#v} (does image.repository in config/deployment.yml match the overlay's image name?)"
            info "rendered images: $images"
        fi
    fi
    step "apply $OVERLAY (new pods migrate the schema at start-up: database.auto_migrate)"
    (cd "$SOURCE_DIR" && run "${KUBECTL[@]}" apply -k "$apply_dir") ||
        fail "$EX_FAILED" "kubectl apply -k $apply_dir failed"
    run "${KUBECTL[@]}" annotate "deployment/$K8S_DEPLOYMENT" -n "$NAMESPACE" --overwrite \
        "kubernetes.io/change-cause=deploy.sh $ENVIRONMENT ${VERSION_GIVEN:+$VERSION} ($(date -u +%Y-%m-%dT%H:%M:%SZ))" >/dev/null || true
    step "wait for the rollout"
    if ! run "${KUBECTL[@]}" rollout status "deployment/$K8S_DEPLOYMENT" -n "$NAMESPACE" --timeout="${TIMEOUT}s"; then
        k8s_undo "the rollout did not complete within ${TIMEOUT}s"
    fi
    k8s_health || k8s_undo "the service is not healthy after the rollout ($K8S_URL)"
    step "deployed to $ENVIRONMENT"
}

k8s_rollback() {
    step "k8s rollback in $ENVIRONMENT (${KUBECTL[*]}, namespace $NAMESPACE)"
    run "${KUBECTL[@]}" rollout undo "deployment/$K8S_DEPLOYMENT" -n "$NAMESPACE" ||
        fail "$EX_FAILED" "kubectl rollout undo failed"
    run "${KUBECTL[@]}" rollout status "deployment/$K8S_DEPLOYMENT" -n "$NAMESPACE" --timeout="${TIMEOUT}s" ||
        fail "$EX_BROKEN" "the rollback did not complete within ${TIMEOUT}s"
    k8s_health || fail "$EX_BROKEN" "the service is not healthy after the rollback ($K8S_URL)"
    step "rolled back in $ENVIRONMENT"
}

k8s_status() {
    run "${KUBECTL[@]}" rollout history "deployment/$K8S_DEPLOYMENT" -n "$NAMESPACE"
    run "${KUBECTL[@]}" get pods -n "$NAMESPACE" -l app=llmchat-backend
}
