import{a as e}from"./chunk-SQE76S5B.js";var t=e((d,o)=>{o.exports=process.getBuiltinModule("node:os")});var p=e((i,s)=>{s.exports=process.getBuiltinModule("node:path")});export{t as a,p as b};
