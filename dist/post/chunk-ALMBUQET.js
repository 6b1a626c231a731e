import{a as o}from"./chunk-SQE76S5B.js";var s=o((c,e)=>{e.exports=process.getBuiltinModule("node:child_process")});export{s as a};
