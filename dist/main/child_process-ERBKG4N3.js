import"./chunk-SQE76S5B.js";var s=process.getBuiltinModule("node:child_process"),o=s.spawn;export{o as spawn};
