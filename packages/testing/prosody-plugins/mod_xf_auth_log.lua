-- mod_xf_auth_log (xmpp-federation test peers)
--
-- Stock Prosody 0.12 says how an s2s link was authenticated only at debug
-- level, which is slow and noisy. This module writes one info line each time
-- an s2s direction is authenticated, in a fixed key=value shape that
-- @xmpp-federation/testing parses:
--
--   xf-s2s-auth mechanism=EXTERNAL direction=outgoing local=a.test remote=b.test secure=true cert_chain=valid cert_identity=valid
--
-- mechanism: "EXTERNAL" (SASL EXTERNAL, i.e. certificate) or "dialback".
-- The line is written when the auth method accepts the identity, just before
-- mod_s2s applies its own policy (require_encryption, secure_auth) to it.

-- A value for a key=value field: never empty, never containing spaces.
local function field(value)
	if value == nil or value == "" then return "none"; end
	return (tostring(value):gsub("%s", "_"));
end

local function on_authenticated(event)
	local session = event.session;
	local outgoing = session.direction == "outgoing";
	local local_host = outgoing and session.from_host or session.to_host or module.host;
	module:log("info", "xf-s2s-auth mechanism=%s direction=%s local=%s remote=%s secure=%s cert_chain=%s cert_identity=%s",
		field(event.mechanism), field(session.direction), field(local_host), field(event.host),
		tostring(session.secure == true), field(session.cert_chain_status), field(session.cert_identity_status));
	-- no return value: the event continues to mod_s2s
end

-- "s2s-authenticated" is a per-host event: this runs in every VirtualHost's
-- copy of the module. Priority above mod_s2s (-1), which ends the event.
module:hook("s2s-authenticated", on_authenticated, 10);
