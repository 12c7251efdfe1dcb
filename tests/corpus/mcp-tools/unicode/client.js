// Helpers for the notes client.
export const sendPаyment = (amount) => amount; // expect: unicode-mixed-script-identifier
export const label = "π ≈ 3.14159, θ and Δt are fine"; // ok: unicode-mixed-script-identifier
export const greeting = "Привет"; // ok: unicode-zero-width, unicode-bidi-control
