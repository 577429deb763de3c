#!/usr/bin/env bash
# Run a real Neo4j 5.26 Community server for development and tests, without
# Docker: the server's jars come from Maven Central (tools/neo4j/pom.xml, cached
# in ~/.m2) and run in their own JVM, listening on 127.0.0.1 only.
#
# Usage: scripts/neo4j.sh start|stop|restart|status|wait|reset|logs|help
#        scripts/neo4j.sh admin-import OPTION... [DATABASE]
#
#   start    resolve the classpath (cached), write HOME/conf/neo4j.conf, set the
#            password of user neo4j before the very first start, launch the
#            server in the background and wait until it is ready.
#            Harmless when it already runs.
#   stop     SIGTERM, wait up to NEO4J_STOP_TIMEOUT s, then SIGKILL.
#            Harmless when it is not running.
#   restart  stop, then start.
#   status   exit 0 and print pid and ports when running, exit 1 otherwise.
#   wait     wait until the running server is ready (exit 1 if not running).
#   reset    stop, then delete HOME/data (all databases and the password).
#   logs     print the tail of the server's logs.
#   admin-import  run `neo4j-admin database import full OPTION... [DATABASE]` on this
#            home (e.g. --nodes=FILES --relationships=FILES --overwrite-destination
#            neo4j): the bulk importer, from the same Maven classpath (its class is
#            in neo4j-import-tool), with NEO4J_HEAP as its heap. Refused while the
#            server of this home runs; writes the home's neo4j.conf like start.
#            Its last line says how long the importer's JVM ran ("importer ran N ms").
#            A database imported into a fresh home is served by the next start.
#
# Environment (defaults in brackets):
#   NEO4J_HOME_DIR       server home [.neo4j/dev]; a relative path is taken
#                        relative to the repository root, not to the cwd
#   NEO4J_BOLT_PORT      Bolt port on 127.0.0.1 [7687]
#   NEO4J_HTTP_PORT      HTTP port on 127.0.0.1 [7474]
#   NEO4J_PASSWORD       password of user neo4j, at least 8 characters
#                        [incidentgraph]; only applied on the first start
#                        of an empty home (use `reset` to change it)
#   NEO4J_HEAP           JVM heap, -Xms and -Xmx [1g]
#   NEO4J_PAGECACHE      page cache [256m]
#   NEO4J_START_TIMEOUT  seconds to wait for readiness [180]
#   NEO4J_STOP_TIMEOUT   seconds to wait after SIGTERM [60]
#   JAVA_HOME / JAVA     Java 17 or 21 to run the server with [java on PATH]
#   MVN                  Maven command [mvn]
#
# A second instance (e.g. for tests) runs side by side with its own home and ports:
#   NEO4J_HOME_DIR=.neo4j/test NEO4J_BOLT_PORT=7688 NEO4J_HTTP_PORT=7475 scripts/neo4j.sh start
#
# State lives only in the repository's .neo4j/ (classpath cache, homes) and ~/.m2.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
POM="$REPO_ROOT/tools/neo4j/pom.xml"
CONF_TEMPLATE="$REPO_ROOT/tools/neo4j/neo4j.conf.tmpl"
STATE_DIR="$REPO_ROOT/.neo4j"
CP_FILE="$STATE_DIR/classpath.txt"
CP_STAMP="$STATE_DIR/classpath.pom.sha256"
ENTRY_POINT="org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL="org.neo4j.cli.AdminTool"

HOME_DIR="${NEO4J_HOME_DIR:-.neo4j/dev}"
case "$HOME_DIR" in
  /*) ;;
  *) HOME_DIR="$REPO_ROOT/$HOME_DIR" ;;
esac
# Canonical, so that the same home is recognised however it was spelt.
HOME_DIR=$(realpath -m -- "$HOME_DIR" 2>/dev/null || printf '%s' "${HOME_DIR%/}")
BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
HTTP_PORT="${NEO4J_HTTP_PORT:-7474}"
PASSWORD="${NEO4J_PASSWORD:-incidentgraph}"
HEAP="${NEO4J_HEAP:-1g}"
PAGECACHE="${NEO4J_PAGECACHE:-256m}"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-180}"
STOP_TIMEOUT="${NEO4J_STOP_TIMEOUT:-60}"

CONF_DIR="$HOME_DIR/conf"
DATA_DIR="$HOME_DIR/data"
LOGS_DIR="$HOME_DIR/logs"
RUN_DIR="$HOME_DIR/run"
PID_FILE="$RUN_DIR/neo4j.pid"
# Byte offset of logs/neo4j.log when the current server was launched, so that a
# "Started." left in the log by an earlier run is not taken for readiness.
LOG_MARK_FILE="$RUN_DIR/neo4j.log.offset"
USER_LOG="$LOGS_DIR/neo4j.log"
CONSOLE_LOG="$LOGS_DIR/console.log"

NAME=$(basename -- "$HOME_DIR")

say() { printf 'neo4j[%s]: %s\n' "$NAME" "$*"; }
die() { printf 'neo4j[%s]: ERROR: %s\n' "$NAME" "$*" >&2; exit 1; }

now() { date +%s; }

validate_env() {
  local v
  for v in BOLT_PORT HTTP_PORT START_TIMEOUT STOP_TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "NEO4J_$v must be a number, got '${!v}'"
  done
  ((BOLT_PORT > 0 && BOLT_PORT < 65536)) || die "NEO4J_BOLT_PORT out of range: $BOLT_PORT"
  ((HTTP_PORT > 0 && HTTP_PORT < 65536)) || die "NEO4J_HTTP_PORT out of range: $HTTP_PORT"
  [[ $BOLT_PORT != "$HTTP_PORT" ]] || die "NEO4J_BOLT_PORT and NEO4J_HTTP_PORT are both $BOLT_PORT"
  [[ $HEAP =~ ^[0-9]+[kKmMgG]$ ]] || die "NEO4J_HEAP must look like 512m or 1g, got '$HEAP'"
  [[ $PAGECACHE =~ ^[0-9]+[kKmMgG]$ ]] || die "NEO4J_PAGECACHE must look like 256m or 1g, got '$PAGECACHE'"
  [[ $HOME_DIR != "$REPO_ROOT" && $HOME_DIR != "/" && -n $HOME_DIR ]] \
    || die "refusing to use '$HOME_DIR' as NEO4J_HOME_DIR"
}

# ---------------------------------------------------------------- Java, Maven

java_cmd() {
  if [[ -n ${JAVA:-} ]]; then
    printf '%s\n' "$JAVA"
  elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "no java found: install a JDK 17 (or 21), or set JAVA_HOME"
  fi
}

check_java() {
  local version major
  version=$("$JAVA_BIN" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  major=${version%%.*}
  case "$major" in
    17 | 21) ;;
    "") die "could not run '$JAVA_BIN -version'" ;;
    *) say "WARNING: Java $version at $JAVA_BIN; Neo4j 5.26 supports Java 17 and 21" ;;
  esac
}

# Writes the server classpath to $CP_FILE unless it is cached for this very pom
# and every jar in it is still in ~/.m2.
resolve_classpath() {
  mkdir -p "$STATE_DIR"
  local lock="$STATE_DIR/classpath.lock"
  if command -v flock >/dev/null 2>&1; then
    # Two instances started at once from a fresh clone resolve only once.
    exec 9>"$lock"
    flock 9
  fi
  local pom_sum
  pom_sum=$(sha256sum "$POM" | cut -d' ' -f1)
  if [[ -s $CP_FILE && -f $CP_STAMP && $(<"$CP_STAMP") == "$pom_sum" ]] && classpath_complete; then
    exec 9>&-
    return 0
  fi
  local mvn="${MVN:-mvn}"
  command -v "$mvn" >/dev/null 2>&1 || die "Maven ('$mvn') not found: install Maven 3.6+ (apt-get install maven)"
  say "resolving the Neo4j server classpath with Maven ($(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$POM"))"
  local tmp="$CP_FILE.tmp.$$"
  local t0
  t0=$(now)
  if ! "$mvn" -q -B -f "$POM" dependency:build-classpath -Dmdep.outputFile="$tmp" >"$STATE_DIR/maven.log" 2>&1; then
    cat "$STATE_DIR/maven.log" >&2
    rm -f "$tmp"
    die "Maven could not resolve $POM (output above, also in $STATE_DIR/maven.log)"
  fi
  [[ -s $tmp ]] || die "Maven wrote an empty classpath"
  mv -f "$tmp" "$CP_FILE"
  printf '%s\n' "$pom_sum" >"$CP_STAMP"
  say "classpath cached in ${CP_FILE#"$REPO_ROOT"/} ($(tr ':' '\n' <"$CP_FILE" | wc -l) jars, $(($(now) - t0)) s)"
  exec 9>&-
}

classpath_complete() {
  local jar
  local -a jars
  IFS=':' read -r -a jars <"$CP_FILE" || true
  ((${#jars[@]} > 0)) || return 1
  for jar in "${jars[@]}"; do
    [[ -f $jar ]] || return 1
  done
}

# ---------------------------------------------------------------- process

# Prints the pid of the server that runs with this home dir, if any.
server_pid() {
  local pid=""
  if [[ -f $PID_FILE ]]; then
    pid=$(tr -dc '0-9' 2>/dev/null <"$PID_FILE" || true)
    if [[ -n $pid ]] && is_our_server "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  # No (valid) pid file: look for a server started with this home dir anyway.
  local f
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    if is_our_server "$pid"; then
      printf '%s\n' "$pid"
      return 0
    fi
  done 2>/dev/null
  return 1
}

is_our_server() {
  local cmdline
  cmdline=$(tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline") || return 1
  cmdline+=$'\n'
  [[ $cmdline == *$'\n'"$ENTRY_POINT"$'\n'* && $cmdline == *$'\n'"--home-dir=$HOME_DIR"$'\n'* ]]
}

# The port a running server was configured with ($1: bolt or http), from the
# neo4j.conf written at its start; falls back to the environment.
running_port() {
  local line port=""
  if [[ -f $CONF_DIR/neo4j.conf ]]; then
    while IFS= read -r line; do
      [[ $line == "server.$1.listen_address="* ]] && port=${line##*:}
    done <"$CONF_DIR/neo4j.conf"
  fi
  if [[ $port =~ ^[0-9]+$ ]]; then
    printf '%s\n' "$port"
  elif [[ $1 == bolt ]]; then
    printf '%s\n' "$BOLT_PORT"
  else
    printf '%s\n' "$HTTP_PORT"
  fi
}

# Makes BOLT_PORT/HTTP_PORT those of the running server, warning if the
# environment asks for others.
adopt_running_ports() {
  local bolt http
  bolt=$(running_port bolt)
  http=$(running_port http)
  if [[ $bolt != "$BOLT_PORT" || $http != "$HTTP_PORT" ]]; then
    say "WARNING: it runs on bolt $bolt / http $http, not on the requested $BOLT_PORT / $HTTP_PORT ('stop' first to change ports)"
  fi
  BOLT_PORT=$bolt
  HTTP_PORT=$http
}

port_open() {
  (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Speaks the first step of Bolt: the handshake. The server must answer with a
# protocol version (4 bytes, not all zero).
bolt_answers() {
  local reply
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  reply=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # magic 0x6060B017, then offers: 5.0-5.4, 4.4, none, none
    printf "\x60\x60\xb0\x17\x00\x04\x04\x05\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00" >&3
    head -c 4 <&3 | od -An -tx1
  ' _ "$1" 2>/dev/null) || return 1
  reply=${reply//[[:space:]]/}
  [[ ${#reply} -eq 8 && $reply != 00000000 ]]
}

# True once the user log says "Started." after the current launch.
log_says_started() {
  [[ -f $USER_LOG ]] || return 1
  local offset=0 size fresh
  [[ -f $LOG_MARK_FILE ]] && offset=$(tr -dc '0-9' 2>/dev/null <"$LOG_MARK_FILE")
  offset=${offset:-0}
  size=$(wc -c 2>/dev/null <"$USER_LOG") || return 1
  ((size >= offset)) || offset=0 # the log was rotated since the launch
  fresh=$(tail -c "+$((offset + 1))" "$USER_LOG" 2>/dev/null || true)
  [[ $fresh == *"INFO  Started."* ]]
}

show_log_tail() {
  if [[ -s $CONSOLE_LOG ]]; then
    printf -- '----- %s (last lines) -----\n' "$CONSOLE_LOG" >&2
    tail -n 15 "$CONSOLE_LOG" | cut -c1-300 >&2
  fi
  if [[ -s $USER_LOG ]]; then
    printf -- '----- %s (last lines) -----\n' "$USER_LOG" >&2
    tail -n 30 "$USER_LOG" | cut -c1-300 >&2
  fi
  if [[ -s $LOGS_DIR/debug.log ]]; then
    printf -- '----- %s (last ERROR lines) -----\n' "$LOGS_DIR/debug.log" >&2
    grep ' ERROR ' "$LOGS_DIR/debug.log" | tail -n 10 | cut -c1-300 >&2 || true
  fi
}

# Waits until the server with pid $1 is ready: the log says "Started." and
# Bolt answers a handshake. Returns 1 if the process died, 2 on timeout.
wait_ready() {
  local pid=$1 deadline=$(($(now) + START_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      # Maybe setsid forked: look the server up by its home dir.
      pid=$(server_pid) || return 1
    fi
    if log_says_started && port_open "$BOLT_PORT" && bolt_answers "$BOLT_PORT"; then
      return 0
    fi
    if (($(now) >= deadline)); then
      return 2
    fi
    sleep 0.5
  done
}

check_password() {
  command -v curl >/dev/null 2>&1 || return 0
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "neo4j:$PASSWORD" \
    -H 'Content-Type: application/json' \
    -d '{"statements":[]}' \
    "http://127.0.0.1:$HTTP_PORT/db/neo4j/tx/commit" || true)
  if [[ $code == 401 || $code == 403 ]]; then
    say "WARNING: NEO4J_PASSWORD does not match the password stored in $DATA_DIR"
    say "         (it is only applied on the first start; 'reset' wipes the data and the password)"
  fi
}

# ---------------------------------------------------------------- setup

write_conf() {
  [[ -f $CONF_TEMPLATE ]] || die "missing $CONF_TEMPLATE"
  local tmp="$CONF_DIR/neo4j.conf.tmp.$$"
  sed -e "s|@BOLT_PORT@|$BOLT_PORT|g" \
    -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
    -e "s|@HEAP@|$HEAP|g" \
    -e "s|@PAGECACHE@|$PAGECACHE|g" \
    "$CONF_TEMPLATE" >"$tmp"
  mv -f "$tmp" "$CONF_DIR/neo4j.conf"
}

# The JVM options the official bootloader would pass: every server.jvm.additional
# line of neo4j.conf, -Dfile.encoding=UTF-8, then the heap.
jvm_options() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line == server.jvm.additional=* ]] || continue
    printf '%s\n' "${line#server.jvm.additional=}"
  done <"$CONF_DIR/neo4j.conf"
  printf '%s\n' "-Dfile.encoding=UTF-8" "-Xms$HEAP" "-Xmx$HEAP"
}

set_initial_password() {
  # Only an empty home: once the system database exists, Neo4j ignores this.
  [[ -d $DATA_DIR/databases/system ]] && return 0
  ((${#PASSWORD} >= 8)) || die "NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)"
  say "setting the initial password of user neo4j"
  local out
  if ! out=$(NEO4J_HOME="$HOME_DIR" NEO4J_CONF="$CONF_DIR" \
    "$JAVA_BIN" -Xmx256m -Dfile.encoding=UTF-8 -cp "$(<"$CP_FILE")" \
    "$ADMIN_TOOL" dbms set-initial-password "$PASSWORD" 2>&1 </dev/null); then
    printf '%s\n' "$out" >&2
    die "neo4j-admin dbms set-initial-password failed"
  fi
}

# ---------------------------------------------------------------- commands

cmd_start() {
  validate_env
  local pid
  if pid=$(server_pid); then
    adopt_running_ports
    say "already running (pid $pid, bolt 127.0.0.1:$BOLT_PORT, http 127.0.0.1:$HTTP_PORT)"
    cmd_wait
    return 0
  fi
  local p
  for p in "$BOLT_PORT" "$HTTP_PORT"; do
    if port_open "$p"; then
      die "port 127.0.0.1:$p is already in use by another process (set NEO4J_BOLT_PORT / NEO4J_HTTP_PORT)"
    fi
  done

  local t0
  t0=$(now)
  JAVA_BIN=$(java_cmd)
  check_java
  resolve_classpath
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$HOME_DIR/import" "$HOME_DIR/plugins"
  write_conf
  set_initial_password

  local -a opts
  mapfile -t opts < <(jvm_options)
  # Neo4j warns below 40000 open files; raise the soft limit as far as allowed.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

  local offset=0
  [[ -f $USER_LOG ]] && offset=$(wc -c <"$USER_LOG")
  printf '%s\n' "$offset" >"$LOG_MARK_FILE"
  printf '==== %s: neo4j.sh start (bolt %s, http %s, heap %s, page cache %s)\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$BOLT_PORT" "$HTTP_PORT" "$HEAP" "$PAGECACHE" >>"$CONSOLE_LOG"

  say "starting Neo4j (home ${HOME_DIR#"$REPO_ROOT"/}, bolt 127.0.0.1:$BOLT_PORT, http 127.0.0.1:$HTTP_PORT, heap $HEAP, page cache $PAGECACHE)"
  local -a launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # Own session, no terminal, stdin closed: survives the shell that started it.
  (
    cd "$HOME_DIR"
    exec "${launcher[@]}" nohup "$JAVA_BIN" -cp "$(<"$CP_FILE")" "${opts[@]}" \
      "$ENTRY_POINT" --home-dir="$HOME_DIR" --config-dir="$CONF_DIR"
  ) </dev/null >>"$CONSOLE_LOG" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"

  local rc=0
  wait_ready "$pid" || rc=$?
  case $rc in
    0)
      # The server rewrites the pid file with its own pid; trust it if valid.
      local real
      real=$(server_pid) || real=$pid
      say "ready in $(($(now) - t0)) s (pid $real, bolt://127.0.0.1:$BOLT_PORT, http://127.0.0.1:$HTTP_PORT)"
      check_password
      ;;
    1)
      show_log_tail
      rm -f "$PID_FILE"
      die "Neo4j exited during startup (logs in $LOGS_DIR)"
      ;;
    *)
      show_log_tail
      say "not ready after $START_TIMEOUT s: stopping it"
      stop_pid "$pid" >/dev/null || true
      die "Neo4j did not become ready within $START_TIMEOUT s (logs in $LOGS_DIR)"
      ;;
  esac
}

stop_pid() {
  local pid=$1 t0 deadline
  t0=$(now)
  deadline=$((t0 + STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (($(now) >= deadline)); then
      say "still running after $STOP_TIMEOUT s: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local i
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -0 "$pid" 2>/dev/null && die "pid $pid survived SIGKILL"
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  say "stopped (pid $pid, $(($(now) - t0)) s)"
}

cmd_stop() {
  local pid
  if ! pid=$(server_pid); then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  say "stopping (pid $pid)"
  stop_pid "$pid"
}

cmd_status() {
  local pid
  if pid=$(server_pid); then
    BOLT_PORT=$(running_port bolt)
    HTTP_PORT=$(running_port http)
    local state="starting"
    if log_says_started && port_open "$BOLT_PORT"; then state="ready"; fi
    say "running (pid $pid, $state, bolt 127.0.0.1:$BOLT_PORT, http 127.0.0.1:$HTTP_PORT, home $HOME_DIR)"
    return 0
  fi
  say "not running (home $HOME_DIR)"
  return 1
}

cmd_wait() {
  validate_env
  local pid rc=0
  pid=$(server_pid) || die "not running (home $HOME_DIR): use 'start'"
  BOLT_PORT=$(running_port bolt)
  HTTP_PORT=$(running_port http)
  wait_ready "$pid" || rc=$?
  case $rc in
    0) say "ready (pid $pid, bolt://127.0.0.1:$BOLT_PORT, http://127.0.0.1:$HTTP_PORT)" ;;
    1) show_log_tail; die "Neo4j exited (logs in $LOGS_DIR)" ;;
    *) show_log_tail; die "Neo4j not ready after $START_TIMEOUT s (logs in $LOGS_DIR)" ;;
  esac
}

cmd_reset() {
  validate_env
  cmd_stop
  if [[ -d $DATA_DIR ]]; then
    rm -rf -- "$DATA_DIR"
    say "deleted ${DATA_DIR#"$REPO_ROOT"/}"
  fi
  rm -f -- "$PID_FILE" "$LOG_MARK_FILE"
}

cmd_logs() {
  show_log_tail 2>&1
}

# The bulk importer works on store files, so the server of this home must be down.
cmd_admin_import() {
  validate_env
  local pid
  if pid=$(server_pid); then
    die "running (pid $pid): 'stop' before admin-import, the importer writes the store files"
  fi
  (($# > 0)) || die "admin-import needs the importer's options (--nodes=..., see 'admin-import --help')"
  JAVA_BIN=$(java_cmd)
  check_java
  resolve_classpath
  mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$HOME_DIR/import" "$HOME_DIR/plugins"
  write_conf
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # In the home, like neo4j-admin: relative paths in the options and the report file land there.
  cd "$HOME_DIR"
  # Timed here, around the importer's JVM alone (its start included), so that a benchmark can
  # tell it from this script's own checks.
  local t0 rc=0
  t0=$(date +%s%N)
  NEO4J_HOME="$HOME_DIR" NEO4J_CONF="$CONF_DIR" \
    "$JAVA_BIN" "-Xms$HEAP" "-Xmx$HEAP" -Dfile.encoding=UTF-8 -cp "$(<"$CP_FILE")" \
    "$ADMIN_TOOL" database import full "$@" </dev/null || rc=$?
  say "importer ran $((($(date +%s%N) - t0) / 1000000)) ms (exit $rc)"
  return "$rc"
}

usage() {
  sed -n '2,/^set -euo pipefail/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
  local cmd=${1:-help}
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_stop; cmd_start ;;
    status) cmd_status ;;
    wait) cmd_wait ;;
    reset) cmd_reset ;;
    logs) cmd_logs ;;
    admin-import) shift; cmd_admin_import "$@" ;;
    help | -h | --help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
