-- mod_xf_lifecycle (xmpp-federation test peers)
--
-- The start and the end of a server launched by @xmpp-federation/testing:
--
-- * "xf-ready" is logged once every host is activated ("server-started"), so
--   the launcher knows that any startup error is already in the log.
-- * The launcher connects our stdin to a pipe it never writes to. When the
--   launching process dies, however abruptly (SIGKILL, a crashed test
--   worker), the kernel closes the pipe and stdin reads end-of-file: we shut
--   down instead of living on as an orphan that holds the test ports.
--   (Load this module only with such a pipe: epoll cannot watch /dev/null.)

module:set_global();

local server = require "net.server";

module:hook_global("server-started", function ()
	module:log("info", "xf-ready");
end);

local function shut_down(reason)
	-- as mod_posix does for SIGTERM: shutdown handlers must run in the main async thread
	prosody.main_thread:run(function ()
		prosody.unlock_globals();
		prosody.shutdown(reason);
		prosody.lock_globals();
	end);
end

local watcher = server.watchfd(0, function (conn)
	if io.stdin:read(1) ~= nil then return; end -- nobody writes; ignore stray bytes
	module:log("warn", "xf-parent-gone: stdin closed, the process that started this server is gone; shutting down");
	conn:close();
	shut_down("the test process that started this server is gone");
end);

-- watchfd() does not report a failed registration; the poller marks success in _wantread.
if not watcher._wantread then
	module:log("error", "cannot watch stdin: this server will outlive the process that started it");
end

function module.unload()
	watcher:close();
end
