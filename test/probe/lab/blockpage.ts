/**
 * Runs INSIDE the censoring router's namespace: the transparent proxy that port 80 traffic to
 * blocked sites is redirected to (nft `redirect`); it answers every request with a block page.
 * Like the block page OONI's netem DPI injects in its QA scenarios, the answer is a bare status
 * line and body with no headers, closed after the body: under OONI's rules a block page that sent
 * Content-Length like the real site would match the site's uncommon headers and pass as the site.
 * Usage: node --import tsx blockpage.ts PORT; prints "ready".
 */
import net from 'node:net';

export const BLOCK_PAGE = '<html><head><title>Access Denied</title></head><body><h1>This website is blocked</h1></body></html>';

const server = net.createServer((sock) => {
  sock.once('data', () => sock.end(`HTTP/1.1 200 OK\r\n\r\n${BLOCK_PAGE}`));
  sock.on('error', () => sock.destroy());
});
server.listen(Number(process.argv[2]), '0.0.0.0', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
