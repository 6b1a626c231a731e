import{a}from"./chunk-4NB4VCKS.js";import"./chunk-SQE76S5B.js";export default a();
