/** The analytics module (see its README). */
export {};
