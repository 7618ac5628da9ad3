"""A stand-in StatusNotifierWatcher for the desktop test session.

Qt sends a real org.freedesktop.Notifications.Notify for QSystemTrayIcon.showMessage
only when the session bus has org.kde.StatusNotifierWatcher and it says a host is
registered (shared/desktop-test-env.md). No StatusNotifier host is packaged for a
headless Debian machine, so this small jeepney service owns the name and answers
what Qt asks: Introspect (QDBusInterface builds its meta-object from it), the
properties IsStatusNotifierHostRegistered / ProtocolVersion /
RegisteredStatusNotifierItems, and RegisterStatusNotifierItem. Items are dropped
when their owner leaves the bus, like a real watcher.

Run by tests/e2e/session.sh as `python snw_watcher.py`; logs each call on stderr.
Exits when the bus goes away.
"""

from __future__ import annotations

import sys
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MatchRule,
    Message,
    MessageFlag,
    MessageType,
    message_bus,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import DBusConnection, open_dbus_connection

NAME = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"
IFACE = "org.kde.StatusNotifierWatcher"
PROPS = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
PEER = "org.freedesktop.DBus.Peer"

INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="{IFACE}">
    <method name="RegisterStatusNotifierItem">
      <arg name="service" type="s" direction="in"/>
    </method>
    <method name="RegisterStatusNotifierHost">
      <arg name="service" type="s" direction="in"/>
    </method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
  <interface name="{PROPS}">
    <method name="Get">
      <arg name="interface" type="s" direction="in"/>
      <arg name="name" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <method name="GetAll">
      <arg name="interface" type="s" direction="in"/>
      <arg name="values" type="a{{sv}}" direction="out"/>
    </method>
  </interface>
  <interface name="{INTROSPECTABLE}">
    <method name="Introspect"><arg name="xml" type="s" direction="out"/></method>
  </interface>
  <interface name="{PEER}">
    <method name="Ping"/>
  </interface>
</node>
"""


def log(text: str) -> None:
    print(f"snw_watcher: {text}", file=sys.stderr, flush=True)


class Watcher:
    """State of the stand-in: the registered items, keyed by the bus name owning each."""

    def __init__(self, conn: DBusConnection) -> None:
        self.conn = conn
        self.items: dict[str, str] = {}  # item id ("service/path") -> owning bus name
        self.emitter = DBusAddress(PATH, interface=IFACE)

    def properties(self) -> dict[str, tuple[str, Any]]:
        return {
            "RegisteredStatusNotifierItems": ("as", sorted(self.items)),
            "IsStatusNotifierHostRegistered": ("b", True),
            "ProtocolVersion": ("i", 0),
        }

    def signal(self, member: str, signature: str | None = None, body: tuple[Any, ...] = ()) -> None:
        self.conn.send(new_signal(self.emitter, member, signature, body))

    def register_item(self, sender: str, service: str) -> None:
        # The spec's two forms: a bus name (item at /StatusNotifierItem) or an object path
        # on the caller's connection. A real watcher lists them as "service/path".
        if service.startswith("/"):
            owner, item = sender, f"{sender}{service}"
        else:
            owner, item = service, f"{service}/StatusNotifierItem"
        self.items[item] = owner
        log(f"RegisterStatusNotifierItem {item}")
        self.signal("StatusNotifierItemRegistered", "s", (item,))

    def owner_gone(self, name: str) -> None:
        for item, owner in list(self.items.items()):
            if owner == name:
                del self.items[item]
                log(f"item gone {item}")
                self.signal("StatusNotifierItemUnregistered", "s", (item,))

    def answer(self, msg: Message) -> Message | None:
        """The reply to a method call, or None when there is nothing to say."""
        fields = msg.header.fields
        iface = fields.get(HeaderFields.interface)
        member = fields.get(HeaderFields.member)
        sender = str(fields.get(HeaderFields.sender, ""))
        log(f"call {iface}.{member}{msg.body!r} from {sender}")
        if fields.get(HeaderFields.path) != PATH:
            return new_error(msg, "org.freedesktop.DBus.Error.UnknownObject")
        if member == "Introspect" and iface in (INTROSPECTABLE, None):
            return new_method_return(msg, "s", (INTROSPECTION,))
        if member == "Ping" and iface in (PEER, None):
            return new_method_return(msg)
        if iface == PROPS and member == "Get":
            interface, name = msg.body
            props = self.properties()
            if interface not in (IFACE, "") or name not in props:
                return new_error(msg, "org.freedesktop.DBus.Error.UnknownProperty")
            return new_method_return(msg, "v", (props[name],))
        if iface == PROPS and member == "GetAll":
            return new_method_return(msg, "a{sv}", (self.properties(),))
        if iface in (IFACE, None) and member == "RegisterStatusNotifierItem":
            self.register_item(sender, str(msg.body[0]))
            return new_method_return(msg)
        if iface in (IFACE, None) and member == "RegisterStatusNotifierHost":
            self.signal("StatusNotifierHostRegistered")
            return new_method_return(msg)
        return new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod")

    def serve(self) -> None:
        while True:
            msg = self.conn.receive()
            kind = msg.header.message_type
            if kind == MessageType.method_call:
                reply = self.answer(msg)
                if reply is not None and not msg.header.flags & MessageFlag.no_reply_expected:
                    self.conn.send(reply)
            elif (
                kind == MessageType.signal
                and msg.header.fields.get(HeaderFields.member) == "NameOwnerChanged"
            ):
                name, _old, new = msg.body
                if not new:
                    self.owner_gone(name)


def main() -> int:
    conn = open_dbus_connection(bus="SESSION")
    watcher = Watcher(conn)
    rule = MatchRule(
        type="signal",
        sender="org.freedesktop.DBus",
        interface="org.freedesktop.DBus",
        member="NameOwnerChanged",
    )
    conn.send_and_get_reply(message_bus.AddMatch(rule))
    reply = conn.send_and_get_reply(message_bus.RequestName(NAME, 4))  # 4: do not queue
    if reply.body != (1,):  # 1: primary owner
        log(f"could not own {NAME}: RequestName answered {reply.body}")
        return 1
    log(f"owns {NAME} as {conn.unique_name}")
    try:
        watcher.serve()
    except (ConnectionResetError, EOFError, OSError) as exc:
        log(f"bus closed ({exc.__class__.__name__}); exiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
