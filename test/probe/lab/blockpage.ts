/**
 * Runs INSIDE the censoring router's namespace: the transparent proxy that port 80 traffic to
 * blocked sites is redirected to (nft `redirect`); it answers every request with a block page.
 * Usage: node --import tsx blockpage.ts PORT; prints "ready".
 */
import http from 'node:http';

export const BLOCK_PAGE = '<html><head><title>Access Denied</title></head><body><h1>This website is blocked</h1></body></html>';

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html', 'x-filter': 'lab-censor' });
  res.end(BLOCK_PAGE);
});
server.listen(Number(process.argv[2]), '0.0.0.0', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
