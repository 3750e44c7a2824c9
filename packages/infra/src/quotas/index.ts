/** The quotas module (see its README). */
export {};
