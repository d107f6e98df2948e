import type { Plugin } from 'vite';

/**
 * Without a first-contentful-paint entry by then (a browser without paint timing, a hidden tab), the
 * modules are asked for anyway.
 */
const FALLBACK_MS = 500;

/**
 * The built page asks for the app's modules only after its first paint. index.html paints the app's
 * name from the HTML alone; with the entry script and its modulepreload links in the HTML, a fast
 * device (or a warm cache) has the modules before the browser paints, runs them first and paints
 * only with the shell. Here an inline script adds the modulepreload links and the entry script once
 * the browser reports the first contentful paint (the name), so the name is painted first on any
 * device, and the modules are fetched in parallel as before, a frame or so later.
 */
export function crackcamStartAfterPaint(): Plugin {
  return {
    name: 'crackcam-start-after-paint',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const entry = /<script type="module" crossorigin src="([^"]+)"><\/script>\s*/.exec(html);
        if (!entry) throw new Error('crackcam-start-after-paint: no module entry script in the built index.html');
        const preloads = [...html.matchAll(/<link rel="modulepreload" crossorigin href="([^"]+)">\s*/g)];
        let out = html.replace(entry[0], '');
        for (const p of preloads) out = out.replace(p[0], '');
        const urls = JSON.stringify({ entry: entry[1], preloads: preloads.map((p) => p[1]) });
        const start = `<script>
      (function (urls) {
        var started = false;
        function add(tag, attrs) {
          var el = document.createElement(tag);
          for (var k in attrs) el[k] = attrs[k];
          document.head.appendChild(el);
        }
        function start() {
          if (started) return;
          started = true;
          urls.preloads.forEach(function (href) { add('link', { rel: 'modulepreload', crossOrigin: '', href: href }); });
          add('script', { type: 'module', crossOrigin: '', src: urls.entry });
        }
        try {
          new PerformanceObserver(function (list) {
            if (list.getEntriesByName('first-contentful-paint').length) start();
          }).observe({ type: 'paint', buffered: true });
        } catch (e) {}
        setTimeout(start, ${FALLBACK_MS});
      })(${urls});
    </script>
  </body>`;
        return out.replace('</body>', start);
      },
    },
  };
}
