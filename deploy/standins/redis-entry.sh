#!/bin/sh
# As the official redis image: `redis-server ARGS` runs as the redis user with protected mode
# off unless ARGS set it (the official build turns its default off; compose's network is the
# boundary); anything else runs as given.
set -eu
if [ "${1:-}" = redis-server ]; then
    shift
    case " $* " in
        *" --protected-mode "*) ;;
        *) set -- "$@" --protected-mode no ;;
    esac
    exec setpriv --reuid=redis --regid=redis --init-groups redis-server "$@"
fi
exec "$@"
