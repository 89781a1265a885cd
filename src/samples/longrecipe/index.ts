/**
 * LongRecipe (docs/recipes.md#longrecipe): sentence selection on tokens, FS-PI positions, right points,
 * and the `longrecipe` builder that combines them.
 */
export { DEFAULT_SENTENCE_DELIMITERS, tokenClassesFromTexts, tokenClassesOf, type TokenClasses } from './token-classes.js';
export { sentenceDigits, sentenceEnds } from './sentences.js';
export { drawSlots, fsPiLiteral, fsPiPositions } from './fs-pi.js';
export { drawLongRecipe, longRecipeLayout, rightPointMax, type LongRecipeAlignment, type LongRecipeDraws, type LongRecipeSettings, type RightPointRange } from './layout.js';
export { hasPythonDigit, isPythonDigit } from './python-isdigit.js';
export { longrecipe, LongRecipeBuilder, longRecipeDocLayout, type LongRecipeOptions } from './builder.js';
