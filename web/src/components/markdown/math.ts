// Loaded only when a message contains math: KaTeX is the heaviest part of the renderer.
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import 'katex/dist/katex.min.css';

export { remarkMath, rehypeKatex };
