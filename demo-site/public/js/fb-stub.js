// The install snippet's queue stub (DESIGN.md), kept in a file so the pages run under a
// strict Content-Security-Policy without 'unsafe-inline'. Calls made before the SDK
// loads are queued and replayed in order.
window.funnelbeam = window.funnelbeam || function () { (funnelbeam.q = funnelbeam.q || []).push(arguments) }
