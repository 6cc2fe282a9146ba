"""An ASGI app (run it under uvicorn) whose /slow endpoint takes SIGKIT_SLOW seconds (default 15).

The ground truth for a server's drain: while /slow is in flight, uvicorn's first Ctrl-C waits for
it ("Waiting for connections to close"), the second forces the exit and cuts it off.
"""

import asyncio
import os

SLOW = float(os.environ.get("SIGKIT_SLOW", "15"))


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        print("slow request in flight", flush=True)
        await asyncio.sleep(SLOW)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"done\n"})
