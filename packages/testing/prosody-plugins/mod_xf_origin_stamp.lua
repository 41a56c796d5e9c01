-- mod_xf_origin_stamp (xmpp-federation test peers)
--
-- Cluster tests need to know, on the receiving side, which node wrote each
-- stanza and when. Every message that arrives over an incoming s2s stream
-- gets one child before it is delivered to the local user:
--
--   <xf-origin xmlns="urn:xmpp-federation:test:origin" ip="127.0.0.197" port="41234" stream="s2sin5a1b" t="1733450000.123456"/>
--
-- ip/port: the TCP peer of the stream (one source address per node);
-- stream: Prosody's id for the stream; t: Prosody's clock when it arrived.
-- Test peers only: it rewrites stanzas.

local now = require "util.time".now;

local function stamp(event)
	local origin, stanza = event.origin, event.stanza;
	if origin.type ~= "s2sin" or not origin.conn then return; end
	stanza:tag("xf-origin", {
		xmlns = "urn:xmpp-federation:test:origin";
		ip = tostring(origin.conn:ip());
		port = tostring(origin.conn:port());
		stream = tostring(origin.id);
		t = string.format("%.6f", now());
	}):up();
	-- no return value: delivery continues as usual
end

module:hook("message/bare", stamp, 1000);
module:hook("message/full", stamp, 1000);
