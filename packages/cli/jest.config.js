module.exports = { ...require('../../jest.preset.js'), setupFiles: ['<rootDir>/tests/setup.js'] };
