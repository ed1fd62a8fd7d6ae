export { storyboardDoc } from '../runs/storyboard.js';
