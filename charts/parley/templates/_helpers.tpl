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

{{/*
Rooms live in one process until the Redis broker lands, so more than one pod without a broker
splits every room: fail the render instead of deploying a chat that silently loses messages.
*/}}
{{- define "parley.validate" -}}
{{- $max := int .Values.replicaCount }}
{{- if .Values.autoscaling.enabled }}
{{- $max = int .Values.autoscaling.maxReplicas }}
{{- end }}
{{- if and (gt $max 1) (not .Values.broker.redis.url) }}
{{- fail (printf "parley: %d replicas need a broker. Rooms live in one process until the Redis broker is configured, so every room would be split between pods and members would not see each other's messages. Set broker.redis.url, or keep replicaCount (and autoscaling.maxReplicas) at 1." $max) }}
{{- end }}
{{- if ge (int .Values.shutdown.drainTimeoutSeconds) (int .Values.shutdown.graceSeconds) }}
{{- fail "parley: shutdown.drainTimeoutSeconds must be shorter than shutdown.graceSeconds (Parley refuses to start otherwise)" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) }}
{{- fail "parley: autoscaling.maxReplicas must be >= autoscaling.minReplicas" }}
{{- end }}
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
