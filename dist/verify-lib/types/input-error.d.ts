/** A problem with one action input, reported as one line that names the input. */
export declare class InputError extends Error {
    readonly input: string;
    readonly name = "InputError";
    readonly problem: string;
    constructor(input: string, problem: string);
}
