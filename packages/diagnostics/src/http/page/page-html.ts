// The page is static: every value in it arrives later over the event stream and is written with
// textContent by the script, so nothing a peer sends is ever parsed as HTML.
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Federation status</title>
<link rel="stylesheet" href="ui/page.css">
<script src="ui/page.js" defer></script>
</head>
<body>
<header>
<h1>Federation status</h1>
<p><span id="federation-state">Connecting…</span> <span id="connection" class="muted"></span></p>
</header>
<main>
<div id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>
<section aria-labelledby="domains-heading">
<h2 id="domains-heading">Remote domains</h2>
<p id="empty" class="muted">No streams with remote domains yet.</p>
<div class="scroll">
<table id="domains">
<thead><tr>
<th scope="col">Remote domain</th><th scope="col">Direction</th><th scope="col">State</th>
<th scope="col">Auth</th><th scope="col">TLS</th><th scope="col">Certificate expires</th>
<th scope="col">Queued / unacked</th><th scope="col">Stanzas in / out</th>
<th scope="col">Last error</th><th scope="col">Action</th>
</tr></thead>
<tbody id="rows"></tbody>
</table>
</div>
</section>
<section id="doctor" aria-labelledby="doctor-heading">
<h2 id="doctor-heading">Doctor</h2>
<p id="doctor-summary" role="status" aria-live="polite">Run the doctor for a domain to see why it does or does not federate.</p>
<table id="doctor-steps" hidden>
<thead><tr><th scope="col">Result</th><th scope="col">Step</th><th scope="col">Code</th><th scope="col">Target</th><th scope="col">Finding</th></tr></thead>
<tbody id="doctor-rows"></tbody>
</table>
</section>
<noscript><p>This page needs JavaScript; the same facts are in <a href="status">status</a> (JSON).</p></noscript>
</main>
</body>
</html>
`
