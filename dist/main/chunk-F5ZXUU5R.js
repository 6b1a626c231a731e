import{a as e}from"./chunk-SQE76S5B.js";var t=e((r,o)=>{o.exports=process.getBuiltinModule("node:crypto")});var p=e((d,s)=>{s.exports=process.getBuiltinModule("node:fs")});export{t as a,p as b};
