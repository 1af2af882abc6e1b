// The API contract, shared with core (type-only: nothing from core reaches the bundle).
export type * from "../../../core/api/types.ts";
