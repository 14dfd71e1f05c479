// A small backend in its own process, so it can die abruptly (SIGKILL) or
// hang (SIGSTOP) as a real server does. Answers every request with its name;
// `?delay=ms` holds the answer that long (a slow request in flight) and says
// so on stderr.
import http from 'node:http';

const name = process.env.NAME;
http
  .createServer((req, res) => {
    req.resume();
    const delay = Number(new URL(req.url, 'http://backend').searchParams.get('delay') ?? 0);
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
    if (delay > 0) {
      // Tells the scenario a slow request has arrived (reliability/processes.ts, waitForLog).
      process.stderr.write('held\n');
      setTimeout(answer, delay);
    } else answer();
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
