/** wrangler's Text rule (and the test bundler's text loader) turn *.cfg files into strings. */
declare module '*.cfg' {
  const text: string;
  export default text;
}
