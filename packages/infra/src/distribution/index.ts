/** The distribution module (see its README). */
export {};
