import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The app is served by `tenderhall serve` from dist/app (embedded with
// go:embed); `npm run dev` proxies the API to a local server instead.
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: { manualChunks: { 'element-plus': ['element-plus'], vue: ['vue', 'vue-router', 'vue-i18n'] } },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
