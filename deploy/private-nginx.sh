#!/usr/bin/env bash
# A private nginx on loopback for benchmarks and `make run`: one worker
# process serving a static page of a given size, in its own directory, with
# its own pid file. Never touches the system nginx.
#
#   deploy/private-nginx.sh start DIR PORT[-LAST] [PAGE_BYTES] [--access-log]
#       writes DIR/nginx.conf and DIR/html/index.html, starts nginx
#       listening on PORT (or every port from PORT to LAST), waits until it
#       accepts connections, prints its master pid
#   deploy/private-nginx.sh stop DIR
#       stops the nginx started in DIR (by its pid) and waits for it
set -euo pipefail

NGINX=${NGINX:-/usr/sbin/nginx}

start() {
  local dir=$1 port=${2%-*} last=${2#*-} page_bytes=${3:-612} access_log=off
  [[ "${4:-}" == "--access-log" ]] && access_log="$dir/access.log"
  mkdir -p "$dir/html" "$dir/tmp"
  # Workers run as nobody when started as root: let them read the page.
  chmod 755 "$dir" "$dir/html"
  head -c "$page_bytes" /dev/zero | tr '\0' 'x' > "$dir/html/index.html"
  local listen="" p
  for ((p = port; p <= last; p++)); do
    listen+="    listen 127.0.0.1:$p backlog=4096;"$'\n'
  done
  local user_line=""
  [[ $(id -u) -eq 0 ]] && user_line="user nobody nogroup;"
  cat > "$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
  access_log $access_log;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
  fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp;
  scgi_temp_path $dir/tmp;
  keepalive_requests 1000000;
  server {
$listen    root $dir/html;
  }
}
CONF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
    </dev/null >"$dir/stdout.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$pid"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "private-nginx: nginx exited; see $dir/error.log:" >&2
      cat "$dir/error.log" "$dir/stdout.log" >&2 || true
      return 1
    fi
    sleep 0.05
  done
  echo "private-nginx: nginx did not accept connections on 127.0.0.1:$port" >&2
  kill "$pid" 2>/dev/null || true
  return 1
}

stop() {
  local dir=$1 pid
  [[ -f "$dir/nginx.pid" ]] || return 0
  pid=$(cat "$dir/nginx.pid")
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start DIR PORT[-LAST] [PAGE_BYTES] [--access-log] | stop DIR" >&2; exit 2 ;;
esac
