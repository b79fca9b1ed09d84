"""One router per area; `jineng.api.root` mounts them."""
