// A small backend in its own process, so it can die abruptly (SIGKILL) or
// hang (SIGSTOP) as a real server does. Answers every request with its name.
import http from 'node:http';

const name = process.env.NAME;
http
  .createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
