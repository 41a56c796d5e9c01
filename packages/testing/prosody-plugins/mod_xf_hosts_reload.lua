-- mod_xf_hosts_reload (xmpp-federation test peers)
--
-- Prosody finds test peers through libunbound's hoststxt file, but libunbound
-- reads that file once, when its context is created at server start. Tests
-- add domains while servers run (a peer started later, our own library as a
-- peer), so we watch the file and rebuild the resolver context when it
-- changes. net.unbound's purge() does exactly that (it also drops the cache
-- and cancels lookups in flight, which is fine for tests).

module:set_global();

local lfs = require "lfs";

local options = module:get_option("unbound");
local hosts_file = type(options) == "table" and options.hoststxt;
if type(hosts_file) ~= "string" then
	module:log("warn", "no unbound.hoststxt file configured; nothing to watch");
	return;
end

local have_unbound, unbound = pcall(require, "net.unbound");
if not have_unbound then
	module:log("error", "net.unbound is not available (lua-unbound missing?): %s", tostring(unbound));
	return;
end

-- The file only ever grows (one line per added domain), so its size tells changes apart
-- more finely than an mtime with one-second resolution.
local function fingerprint()
	local size = lfs.attributes(hosts_file, "size");
	local mtime = lfs.attributes(hosts_file, "modification");
	return tostring(size) .. "/" .. tostring(mtime);
end

local seen = fingerprint();

module:add_timer(0.2, function ()
	local now = fingerprint();
	if now ~= seen then
		seen = now;
		unbound.dns.purge();
		module:log("info", "xf-hosts-reloaded %s", hosts_file);
	end
	return 0.2;
end);
