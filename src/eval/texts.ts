/**
 * The fixed strings of the evaluation tasks. Filler, needle, passkey and question sentences are
 * those of docs/training.md#evaluation-sets-skein-gen-eval (passkey: Mohtashami & Jaggi as in PoSE's eval_passkey.py; NIAH:
 * Kamradt's needle as in Fu et al.'s eval). The RULER-style task instructions (vt, cwe, fwe) are
 * skein's own wording of what each task asks.
 */

/** §9.1 passkey: the task line. */
export const PASSKEY_TASK =
  'There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. I will quiz you about the important information there.';
/** §9.1 passkey and RULER `noise` haystack: the filler, repeated without a separator (passkey) or one per line (RULER). */
export const FILLER = 'The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.';
/** §9.1 passkey: the information line for key K. */
export const passkeyLine = (key: number): string => `The pass key is ${key}. Remember it. ${key} is the pass key.`;
/** §9.1 passkey: the final question; the answer follows it as " K". */
export const PASSKEY_QUESTION = 'What is the pass key? The pass key is';

/** §9.2 NIAH: the needle (inserted wrapped in newlines). */
export const NIAH_NEEDLE = 'The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.';
/** §9.2 NIAH: the question. */
export const NIAH_QUESTION = 'What is the best thing to do in San Francisco?';
/** NIAH prompt around the haystack (the spec: the book wrapped in <book> … </book>, then the question). */
export const niahPrompt = (context: string): string =>
  `This is a very long story book: <book> ${context} </book>.\nBased on the content of the book, Question: ${NIAH_QUESTION}\nAnswer:`;
/** NIAH answer: the needle sentence itself. */
export const NIAH_ANSWER = ` ${NIAH_NEEDLE}`;

/** RULER vt: prompt around the noise haystack with the chain lines. */
export const vtPrompt = (context: string, value: string, count: number): string =>
  `Track the chain of variable assignments hidden in the text below.\n\n${context}\nQuestion: Which variables hold the value ${value} in the text above? Answer: Following the chain of assignments in the text above, ${count} variables hold the value ${value}, they are:`;
/** RULER cwe: prompt around the numbered word list. */
export const cwePrompt = (context: string): string =>
  `Below is a numbered list of words. Some words appear more often than the others: memorize those.\n${context}\nQuestion: Which 10 words appear most often in the list above? Answer: The 10 words that appear most often in the list are:`;
/** RULER fwe: prompt around the coded text. */
export const fwePrompt = (context: string): string =>
  `Read the coded text below and count how often each coded word appears; ignore the dots '...'.\n${context}\nQuestion: Which three coded words appear most often in the coded text above? Answer: The three coded words that appear most often are:`;
