// the filelist of dot4_packed: sources, include dirs, defines
+incdir+inc
+define+DOT4_SUM
dot4_packed.v
