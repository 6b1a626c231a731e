import{a as e}from"./chunk-SQE76S5B.js";var t=e((r,o)=>{o.exports=process.getBuiltinModule("node:fs")});var p=e((d,s)=>{s.exports=process.getBuiltinModule("node:crypto")});export{p as a,t as b};
