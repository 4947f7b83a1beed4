// dist/vendor/ora.cjs: ora's default export as module.exports, the shape `import('ora')` gives its
// default when the CLI bundle turns that import() into require() (see scripts/build.mjs).
module.exports = require('ora').default;
