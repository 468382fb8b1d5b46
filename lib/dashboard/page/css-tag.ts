/** Tags a template for Prettier (formatted as CSS); the text is used as it is. */
export const css = String.raw;
