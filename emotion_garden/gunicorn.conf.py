"""gunicorn settings for Emotion Garden: `gunicorn -c emotion_garden/gunicorn.conf.py` from the repository root.

Read from the environment like the Django settings (including the same .env file), so one container image serves any
scale: WEB_CONCURRENCY worker processes, BIND (or PORT, as platforms set it), LOG_FORMAT=json for log collectors.
`manage.py serve` uses this file too. Any setting can still be overridden with GUNICORN_CMD_ARGS or the command line.
"""

import ctypes
import gc
import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Started from any directory (the `gunicorn` script, a process manager), the project package is still importable.
chdir = str(BASE_DIR)
wsgi_app = "emotion_garden.wsgi:application"

# Loopback unless told otherwise: an embedded install must not listen on the network by surprise.
bind = [os.environ.get("BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")]

# Processes for CPU-bound face analysis (onnxruntime releases the GIL, so threads add throughput within one), and
# threads for requests that mostly wait on the database or S3.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
# gthread, except that a worker with every thread busy leaves new connections to the others, and that a request reaches
# a thread only once it has arrived whole, so slow clients hold no thread (see the module).
worker_class = "emotion_garden.gunicorn_worker.BufferedThreadWorker"

# Workers signal liveness by touching a file every few seconds; on a disk-backed /tmp (Docker's overlay filesystem)
# that can block long enough for the master to kill a healthy worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Requests take well under a second, so ten seconds lets in-flight ones finish on a deploy or scale-in; it also stays
# inside the 15 seconds `manage.py serve` waits before it kills its children.
graceful_timeout = 10
# Longer than a load balancer's idle timeout (AWS ALB: 60 s), so the balancer never reuses a connection that gunicorn
# has just closed, which it would answer with a 502.
keepalive = 75

# The request line without its query string (it can carry keys or personal data), the time taken in milliseconds, and
# the id that RequestIdMiddleware put in the response, to find the application's log lines for this request.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'



def post_worker_init(worker: object) -> None:
    """Ready the worker before its first request.

    - Load the face models and the face index: on its first photo they took 1.2 s, and 4 s when a cold worker's
      threads all began at once under load.
    - On SQLite, checkpoint the write-ahead log on a thread of its own (emotion_garden.sqlite_wal).
    - Freeze what is loaded by now out of the garbage collector's sight: otherwise every full collection walks all the
      objects of Django, DRF and the models again, and stops every thread of the worker while it does.
    - Keep large allocations out of glibc's per-thread heaps (see below).
    """
    from emotion_garden.sqlite_wal import start_wal_checkpointer
    from gallery.faces import warm_up_face_backends

    _large_allocations_go_back_to_the_system()
    warm_up_face_backends()
    start_wal_checkpointer()
    gc.freeze()


# glibc's M_MMAP_THRESHOLD. By default glibc raises it to the size of each mmapped block that is freed (up to 32 MB), so
# after one large photo Pillow's 16 MB image blocks come from the request threads' heaps, which keep the memory: with
# 16 clients sending 23.5 MP PNGs (benchmarks/probe.py --probes decode) workers grew from 400 MB to 1.19 GB. A fixed
# 1 MB threshold sends every large block to mmap, which returns it to the system when the image is freed.
M_MMAP_THRESHOLD = -3


def _large_allocations_go_back_to_the_system() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl, macOS): another allocator, with its own policy
        return
    libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)


# Nothing here uses gunicornc, and its default socket path under $HOME is shared by every gunicorn on the machine:
# a second instance would unlink the first one's socket.
control_socket_disable = True

if os.environ.get("LOG_FORMAT", "plain") == "json":
    # gunicorn's own lines (start-up, worker restarts, the access log) as JSON objects too, so every line of the
    # container's output parses. Not propagated: the workers' Django logging configures the root logger as well.
    logconfig_dict = {
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False, "qualname": "gunicorn.error"},
            "gunicorn.access": {
                "level": "INFO", "handlers": ["json"], "propagate": False, "qualname": "gunicorn.access",
            },
        },
        "handlers": {
            "json": {
                "class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            },
        },
        "filters": {"request_id": {"()": "emotion_garden.logs.RequestIdFilter"}},
        "formatters": {"json": {"()": "emotion_garden.logs.JsonFormatter"}},
    }
