{{/* Names: <release>-parley unless the release name already contains "parley". */}}
{{- define "parley.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "parley.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "parley.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "parley.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "parley.selectorLabels" -}}
app.kubernetes.io/name: {{ include "parley.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "parley.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "parley.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Helidon config key -> environment variable, the inverse of Helidon's mapping:
parley.write-deadline -> PARLEY_WRITE_DASH_DEADLINE.
*/}}
{{- define "parley.envName" -}}
{{- . | replace "-" "_DASH_" | replace "." "_" | upper }}
{{- end }}

{{/* True (non-empty) when the Redis broker is configured, by URL, existing Secret or the evaluation Redis. */}}
{{- define "parley.broker" -}}
{{- if or .Values.broker.redis.url .Values.broker.redis.existingSecret .Values.redis.enabled }}redis{{ end }}
{{- end }}

{{/* The image reference: repository@digest, or repository:tag (tag defaults to appVersion). */}}
{{- define "parley.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Always for a moving tag (a -SNAPSHOT or latest), so nodes do not keep a stale build under it. */}}
{{- define "parley.pullPolicy" -}}
{{- if .Values.image.pullPolicy }}
{{- .Values.image.pullPolicy }}
{{- else if .Values.image.digest }}
{{- "IfNotPresent" }}
{{- else if regexMatch "(?i)(-SNAPSHOT|^latest)$" (.Values.image.tag | default .Chart.AppVersion) }}
{{- "Always" }}
{{- else }}
{{- "IfNotPresent" }}
{{- end }}
{{- end }}

{{/*
An ISO-8601 duration as Java's Duration.parse reads it (PnDTnHnMn.nS, any part optional) ->
seconds, as a string for float64. Fails naming the key for anything else, as Parley would.
Input: (list "config key" value).
*/}}
{{- define "parley.seconds" -}}
{{- $key := index . 0 }}
{{- $v := upper (toString (index . 1)) }}
{{- $re := `^P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?$` }}
{{- if or (not (regexMatch $re $v)) (eq $v "P") (hasSuffix "T" $v) }}
{{- fail (printf "parley: config.%s=%s is not a duration: expected ISO-8601 such as PT25S (25 s), PT1M30S or PT0.5S" $key (toString (index . 1))) }}
{{- end }}
{{- $d := regexReplaceAll $re $v "${1}" | default "0" | float64 }}
{{- $h := regexReplaceAll $re $v "${2}" | default "0" | float64 }}
{{- $m := regexReplaceAll $re $v "${3}" | default "0" | float64 }}
{{- $s := regexReplaceAll $re $v "${4}" | default "0" | float64 }}
{{- addf (mulf $d 86400) (mulf $h 3600) (mulf $m 60) $s }}
{{- end }}

{{/* A config duration in seconds (float), or its default when the key is not given. Input: (list $ "key" "default"). */}}
{{- define "parley.configSeconds" -}}
{{- $root := index . 0 }}
{{- $key := index . 1 }}
{{- include "parley.seconds" (list $key (get $root.Values.config $key | default (index . 2))) }}
{{- end }}

{{/*
Environment variables the chart sets itself, each with the value an operator sets instead. A
config key or an extraEnv entry with one of these names would give the container the variable
twice (Kubernetes keeps the last, silently), so rendering refuses it.
*/}}
{{- define "parley.reservedEnv" -}}
SERVER_HOST: "ports.http (the container listens on all interfaces)"
SERVER_PORT: ports.http
PARLEY_ADMIN_HOST: "ports.admin (the admin socket listens on all interfaces, the Ingress never routes to it)"
PARLEY_ADMIN_PORT: ports.admin
SHUTDOWN_GRACE: shutdown.graceSeconds
SHUTDOWN_DRAIN_DASH_TIMEOUT: shutdown.drainTimeoutSeconds
PARLEY_BROKER_TYPE: "broker.redis.url, broker.redis.existingSecret or redis.enabled"
PARLEY_BROKER_REDIS_URL: "broker.redis.url or broker.redis.existingSecret"
PARLEY_BROKER_REDIS_CLUSTER: broker.redis.cluster
JDK_JAVA_OPTIONS: jvmOptions
{{- end }}

{{/*
Refuses, at render time, values with which Parley would not start or would misbehave: a crash
loop found by `helm install` is worse than an error from `helm template`.
*/}}
{{- define "parley.validate" -}}
{{- $v := .Values }}
{{- /* Without a broker every room lives in one process. */}}
{{- $max := int $v.replicaCount }}
{{- if $v.autoscaling.enabled }}
{{- $max = int $v.autoscaling.maxReplicas }}
{{- end }}
{{- if and (gt $max 1) (not (include "parley.broker" .)) }}
{{- fail (printf "parley: %d replicas need a broker. Without the Redis broker rooms live in one process, so every room would be split between pods and members would not see each other's messages. Set broker.redis.url (or broker.redis.existingSecret, or redis.enabled for evaluation), or keep replicaCount (and autoscaling.maxReplicas) at 1." $max) }}
{{- end }}
{{- if and $v.redis.enabled (or $v.broker.redis.url $v.broker.redis.existingSecret) }}
{{- fail "parley: redis.enabled deploys a Redis and points the broker at it; leave broker.redis.url and broker.redis.existingSecret empty with it" }}
{{- end }}
{{- if and $v.redis.enabled $v.broker.redis.cluster }}
{{- fail "parley: redis.enabled deploys a single Redis, not a Redis Cluster: set broker.redis.cluster=false" }}
{{- end }}
{{- if and $v.autoscaling.enabled (lt (int $v.autoscaling.maxReplicas) (int $v.autoscaling.minReplicas)) }}
{{- fail "parley: autoscaling.maxReplicas must be >= autoscaling.minReplicas" }}
{{- end }}
{{- if eq (int $v.ports.http) (int $v.ports.admin) }}
{{- fail (printf "parley: ports.http and ports.admin must differ (both %d): health and metrics are served only on the admin port" (int $v.ports.http)) }}
{{- end }}
{{- /* Collisions: one variable set twice. */}}
{{- $reserved := include "parley.reservedEnv" . | fromYaml }}
{{- $fromConfig := dict }}
{{- range $key, $_ := $v.config }}
{{- $env := include "parley.envName" $key }}
{{- if hasKey $reserved $env }}
{{- fail (printf "parley: config.%s would set %s, which the chart sets itself; use %s instead" $key $env (get $reserved $env)) }}
{{- end }}
{{- if hasKey $fromConfig $env }}
{{- fail (printf "parley: config.%s and config.%s both become the environment variable %s; keep one" (get $fromConfig $env) $key $env) }}
{{- end }}
{{- $_ := set $fromConfig $env $key }}
{{- end }}
{{- $extra := dict }}
{{- range $v.extraEnv }}
{{- if hasKey $reserved .name }}
{{- fail (printf "parley: extraEnv %s is set by the chart itself; use %s instead" .name (get $reserved .name)) }}
{{- end }}
{{- if hasKey $fromConfig .name }}
{{- fail (printf "parley: extraEnv %s is already set by config.%s; keep one" .name (get $fromConfig .name)) }}
{{- end }}
{{- if hasKey $extra .name }}
{{- fail (printf "parley: extraEnv %s is given twice" .name) }}
{{- end }}
{{- $_ := set $extra .name true }}
{{- end }}
{{- /* Timing relations Parley checks at start-up, plus the proxy and the kubelet around it. */}}
{{- $heartbeat := include "parley.configSeconds" (list . "parley.heartbeat" "PT25S") | float64 }}
{{- $idle := include "parley.configSeconds" (list . "parley.idle-timeout" "PT60S") | float64 }}
{{- $writeDeadline := include "parley.configSeconds" (list . "parley.write-deadline" "PT5S") | float64 }}
{{- if ge $heartbeat $idle }}
{{- fail (printf "parley: config.parley.heartbeat (%vs) must be shorter than config.parley.idle-timeout (%vs): a quiet but healthy client must get a ping before it is called idle (Parley refuses to start otherwise)" $heartbeat $idle) }}
{{- end }}
{{- if ge $writeDeadline $idle }}
{{- fail (printf "parley: config.parley.write-deadline (%vs) must be shorter than config.parley.idle-timeout (%vs) (Parley refuses to start otherwise)" $writeDeadline $idle) }}
{{- end }}
{{- if and $v.ingress.enabled (le (float64 $v.ingress.timeoutSeconds) $idle) }}
{{- fail (printf "parley: ingress.timeoutSeconds (%d) must exceed config.parley.idle-timeout (%vs), or the Ingress cuts quiet chats before Parley's heartbeat and idle timeout can act" (int $v.ingress.timeoutSeconds) $idle) }}
{{- end }}
{{- if ge (int $v.shutdown.drainTimeoutSeconds) (int $v.shutdown.graceSeconds) }}
{{- fail (printf "parley: shutdown.drainTimeoutSeconds (%d) must be shorter than shutdown.graceSeconds (%d) (Parley refuses to start otherwise)" (int $v.shutdown.drainTimeoutSeconds) (int $v.shutdown.graceSeconds)) }}
{{- end }}
{{- $_ := include "parley.terminationGracePeriodSeconds" . }}
{{- end }}

{{/* terminationGracePeriodSeconds: the preStop sleep, then the drain, then a margin for JVM exit. */}}
{{- define "parley.terminationGracePeriodSeconds" -}}
{{- $s := .Values.shutdown }}
{{- $min := add $s.preStopSleepSeconds $s.graceSeconds }}
{{- if kindIs "invalid" $s.terminationGracePeriodSeconds }}
{{- add $min 5 }}
{{- else if le (int $s.terminationGracePeriodSeconds) (int $min) }}
{{- fail (printf "parley: shutdown.terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + graceSeconds (%d), or the kubelet kills Parley in the middle of its drain" (int $s.terminationGracePeriodSeconds) (int $min)) }}
{{- else }}
{{- $s.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* A config scalar as a string. Values files reach templates with numbers as floats: print
whole numbers without an exponent (1048576, not 1.048576e+06). */}}
{{- define "parley.scalar" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/* The Secret and key holding the broker URL. */}}
{{- define "parley.brokerSecretName" -}}
{{- .Values.broker.redis.existingSecret | default (include "parley.fullname" .) }}
{{- end }}
{{- define "parley.brokerSecretKey" -}}
{{- if .Values.broker.redis.existingSecret }}{{ .Values.broker.redis.existingSecretKey }}{{ else }}redis-url{{ end }}
{{- end }}

{{- define "parley.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "parley.name" . }}-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
