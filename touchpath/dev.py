"""`make dev`: the Dagster UI on 127.0.0.1:3000 with a project-local DAGSTER_HOME.

Unless TOUCHPATH_SANDBOX=0, the demo world's sandbox APIs are served on 127.0.0.1 for as long as the
UI runs, so materializing assets from the UI works offline exactly as `make demo` does.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from touchpath.config import PROJECT_ROOT


def main() -> int:
    command = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", "workspace.yaml",
               "-h", "127.0.0.1", "-p", os.environ.get("TOUCHPATH_DEV_PORT", "3000")]
    if os.environ.get("TOUCHPATH_SANDBOX", "1") == "0":
        return subprocess.call(command, cwd=PROJECT_ROOT)

    from sandbox.server import start_server
    from touchpath.demo import demo_world
    from touchpath.sandbox_session import ensure_world

    world_dir, params = demo_world()
    ensure_world(world_dir, **params)
    server = start_server(world_dir, host="127.0.0.1", port=int(os.environ.get("TOUCHPATH_SANDBOX_PORT", "8765")))
    env = {**os.environ, "TOUCHPATH_SANDBOX": "1", "TOUCHPATH_SANDBOX_URL": server.base_url,
           "TOUCHPATH_START_DATE": params["start_date"]}
    print(f"sandbox APIs on {server.base_url} (world {world_dir.name}); Dagster UI on http://127.0.0.1:3000")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # `dagster dev` shuts down cleanly on SIGINT to its process group (it ignores SIGTERM).
        os.killpg(process.pid, signal.SIGINT)
        return process.wait()
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
