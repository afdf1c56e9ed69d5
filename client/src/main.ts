import { mount } from 'svelte';
import App from './App.svelte';
import { applyStoredTheme } from './lib/components/theme.svelte';
import { registerOfflineShell } from './lib/sync/offline';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// The remembered colour scheme before the first paint.
applyStoredTheme();

export default mount(App, { target });

// The app shell stays available offline (client/public/sw.js).
registerOfflineShell();
