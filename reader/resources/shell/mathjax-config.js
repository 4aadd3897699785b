// MathJax configuration of the reading pane: local components only, the TeX packages the blog
// uses, equation numbers as on kexue.fm, and the `safe` extension for \href, \style, \class, ...
'use strict';
window.MathJax = {
  loader: {
    paths: {
      mathjax: 'kexue://app/mathjax',
      'mathjax-newcm': 'kexue://app/mathjax/fonts/mathjax-newcm',
    },
    // Only what the pane needs: the combined tex-chtml.js also loads the menu and speech
    // (about 20x slower per formula), and nothing may come from the network.
    load: [
      'input/tex', 'output/chtml', 'ui/lazy', 'ui/safe',
      '[tex]/boldsymbol', '[tex]/mathtools', '[tex]/color', '[tex]/bbox',
      '[tex]/braket', '[tex]/cases', '[tex]/extpfeil', '[tex]/upgreek', '[tex]/gensymb',
      '[tex]/enclose', '[tex]/unicode', '[tex]/html',
    ],
  },
  tex: {
    packages: {
      '[+]': ['boldsymbol', 'mathtools', 'cancel', 'color', 'bbox', 'braket', 'cases', 'extpfeil',
              'upgreek', 'gensymb', 'enclose', 'unicode', 'html'],
      // An undefined macro must be reported as an error (check-render finds it), and posts must
      // not load further extensions at will.
      '[-]': ['noundefined', 'require'],
    },
    // render.py wraps every formula in \(...\) or \[...\] inside a span/div.arithmatex.
    inlineMath: [['\\(', '\\)']],
    displayMath: [['\\[', '\\]']],
    processEscapes: false,
    processEnvironments: false,
    processRefs: false,
    tags: 'ams',
    useLabelIds: true,
  },
  output: {
    font: 'mathjax-newcm',
    fontPath: 'kexue://app/mathjax/fonts/mathjax-newcm',
    displayOverflow: 'scroll',
    linebreaks: {inline: false},
  },
  chtml: {
    matchFontHeight: false,
    // \text{中文} in the page's own (serif CJK) font, like the sentence around the formula;
    // MathJax's fonts have no CJK glyphs anyway.
    mtextInheritFont: true,
  },
  options: {
    // Only formulas marked by render.py are typeset; the post's text never is.
    ignoreHtmlClass: 'mathjax_ignore',
    processHtmlClass: 'arithmatex',
    lazyMargin: '200px',
    safeOptions: {
      allow: {URLs: 'safe', classes: 'safe', cssIDs: 'safe', styles: 'safe'},
      safeProtocols: {http: true, https: true, file: false, javascript: false, data: false},
    },
  },
  startup: {
    typeset: false,
    // cancel reads enclose's exports as soon as its file runs, and the components listed above
    // are fetched in parallel: load it once everything else is in, then start MathJax.
    ready() {
      MathJax.loader.load('[tex]/cancel')
        .then(() => MathJax.startup.defaultReady())
        .catch((error) => console.error('kexue: MathJax start-up failed: ' + error));
    },
  },
};
