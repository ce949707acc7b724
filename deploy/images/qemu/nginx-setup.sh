# Sourced by both images' /init: writes /etc/nginx/nginx.conf and the page
# from the kernel command line, then defines NGINX_ARGS.
#   scalebench.workers=N   nginx worker_processes (default 1)
#   scalebench.page=BYTES  size of the page served at "/" (default 612)
# Values that are not plain numbers are ignored (the defaults apply).
workers=1
page=612
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    scalebench.workers=*) v=${arg#*=}; case "$v" in ''|*[!0-9]*) ;; *) workers=$v ;; esac ;;
    scalebench.page=*) v=${arg#*=}; case "$v" in ''|*[!0-9]*) ;; *) page=$v ;; esac ;;
  esac
done
[ "$workers" -ge 1 ] 2>/dev/null || workers=1
mkdir -p /www /tmp/nginx /etc/nginx /run
head -c "$page" /dev/zero | tr '\0' 'x' > /www/index.html
chmod 755 /www /tmp/nginx
chmod 644 /www/index.html
cat > /etc/nginx/nginx.conf <<CONF
user nobody nogroup;
worker_processes $workers;
daemon off;
pid /run/nginx.pid;
error_log ${NGINX_ERROR_LOG:-stderr} warn;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path /tmp/nginx;
  proxy_temp_path /tmp/nginx;
  fastcgi_temp_path /tmp/nginx;
  uwsgi_temp_path /tmp/nginx;
  scgi_temp_path /tmp/nginx;
  server {
    listen 80 backlog=4096;
    root /www;
  }
}
CONF
echo "scalebench: nginx with $workers worker(s), page of $page bytes"
NGINX_ARGS="-c /etc/nginx/nginx.conf -e stderr"
