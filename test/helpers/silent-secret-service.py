#!/usr/bin/python3
"""A Secret Service that is there but never gives an answer; for t0ken's keychain tests.

Owns org.freedesktop.secrets on the session bus in DBUS_SESSION_BUS_ADDRESS. libdbus itself answers
org.freedesktop.DBus.Peer.Ping, so a ping succeeds; Introspect is answered by dbus-python for the
exported object. What happens to the org.freedesktop.Secret.* calls depends on the mode (argv[1]):

  silent  every call (OpenSession first) is taken and never replied to: a service that hangs
          after it took the name.
  prompt  an unlock prompt nobody answers, as on a desktop whose keyring is locked and whose user
          is away: OpenSession succeeds (any public key will do: no secret is ever exchanged),
          SearchItems finds one locked item, Unlock asks for a prompt, Prompt.Prompt returns, and
          the Completed signal never comes. Any other Secret call is held like in silent mode.

A held call's message is kept, so libdbus sends no error for it either: the caller waits until it
gives up. Debian's python3-dbus and python3-gi (GLib main loop); run it with /usr/bin/python3.
Prints "ready" once it owns the name, then "call <interface>.<member>" for each Secret call it got.
"""
import secrets
import sys

import dbus
import dbus.lowlevel
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

MODE = sys.argv[1] if len(sys.argv) > 1 else 'silent'
if MODE not in ('silent', 'prompt', 'questions'):
    sys.exit(f'unknown mode {MODE!r}: silent, prompt or questions')

ROOT = '/org/freedesktop/secrets'
ITEM = ROOT + '/collection/login/1'
PROMPT = ROOT + '/prompt/u1'
# The second Oakley group (RFC 2409), generator 2: what dh-ietf1024-sha256-aes128-cbc-pkcs7 uses.
DH_PRIME = int('FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E34'
               '04DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6'
               'F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF', 16)

DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
held = []  # the calls never answered; kept so nothing replies on their behalf
sessions = set()  # questions mode: the connections (unique names) that called OpenSession


def reply(message, signature, *values):
    answer = dbus.lowlevel.MethodReturnMessage(message)
    if signature:
        answer.append(*values, signature=signature)
    bus.send_message(answer)


def answer_as_prompt(message):
    """The replies of a locked keyring whose unlock prompt is never answered; False: hold it."""
    member = message.get_member()
    if member == 'OpenSession':
        public = pow(2, secrets.randbits(1024), DH_PRIME).to_bytes(128, 'big')
        reply(message, 'vo', dbus.ByteArray(public), dbus.ObjectPath(ROOT + '/session/s1'))
    elif member == 'SearchItems':
        reply(message, 'aoao', dbus.Array([], signature='o'), dbus.Array([dbus.ObjectPath(ITEM)], signature='o'))
    elif member == 'Unlock':
        reply(message, 'aoo', dbus.Array([], signature='o'), dbus.ObjectPath(PROMPT))
    elif member == 'Prompt' and message.get_path() == PROMPT:
        reply(message, '')  # the prompt "is shown"; its Completed signal is never sent
    else:
        return False
    return True


def answer_questions(message):
    """questions mode: answer a connection that never opened a session; False: hold it."""
    member = message.get_member()
    if member == 'OpenSession':
        sessions.add(message.get_sender())
    if message.get_sender() in sessions:
        return False
    if member == 'SearchItems':
        reply(message, 'aoao', dbus.Array([], signature='o'), dbus.Array([], signature='o'))
    elif member == 'Get' and message.get_path().startswith(ROOT + '/'):
        reply(message, 'v', dbus.Boolean(False, variant_level=1))
    else:
        return False
    return True


def on_message(_connection, message):
    if message.get_type() != dbus.lowlevel.MESSAGE_TYPE_METHOD_CALL:
        return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED
    interface = message.get_interface() or ''
    if MODE == 'questions' and interface == 'org.freedesktop.DBus.Properties' and message.get_path() != ROOT:
        print(f'call {interface}.{message.get_member()}', flush=True)
        if not answer_questions(message):
            held.append(message)
        return dbus.lowlevel.HANDLER_RESULT_HANDLED
    if not interface.startswith('org.freedesktop.Secret.'):
        return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED  # Peer, Introspectable: the usual handlers
    print(f'call {interface}.{message.get_member()}', flush=True)
    answered = answer_as_prompt(message) if MODE == 'prompt' else answer_questions(message) if MODE == 'questions' else False
    if not answered:
        held.append(message)
    return dbus.lowlevel.HANDLER_RESULT_HANDLED  # so libdbus neither dispatches it nor answers an error


class Root(dbus.service.Object):
    """Exported so that Introspect of /org/freedesktop/secrets answers; holds no method of its own."""


bus.add_message_filter(on_message)
Root(bus, ROOT)
name = dbus.service.BusName('org.freedesktop.secrets', bus, do_not_queue=True)
print('ready', flush=True)
GLib.MainLoop().run()
