<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>zimage::ui::AppSettings</name>
    <message>
        <source>The settings could not be saved to “%1”: the file cannot be written.</source>
        <translation>无法将设置保存到“%1”：该文件不可写。</translation>
    </message>
    <message>
        <source>The settings file “%1” is damaged; it was not changed.</source>
        <translation>设置文件“%1”已损坏，未作任何更改。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::CommandLine</name>
    <message>
        <source>Show this help and exit.</source>
        <translation>显示此帮助并退出。</translation>
    </message>
    <message>
        <source>Show the versions of Z-Image Studio, its engine, LibTorch and Qt, and exit.</source>
        <translation>显示 Z-Image Studio 及其引擎、LibTorch 和 Qt 的版本并退出。</translation>
    </message>
    <message>
        <source>Load the model from DIR (a diffusers folder, a ComfyUI folder or the Hugging Face cache) instead of the one in the settings.</source>
        <translation>从指定目录（diffusers 文件夹、ComfyUI 文件夹或 Hugging Face 缓存）加载模型，而不使用设置中的模型。</translation>
    </message>
    <message>
        <source>DIR</source>
        <translation>目录</translation>
    </message>
    <message>
        <source>Save the generated images in DIR instead of the settings&apos; folder.</source>
        <translation>将生成的图像保存到指定目录，而不是设置中的文件夹。</translation>
    </message>
    <message>
        <source>Show the interface in language CODE (%1) instead of the settings&apos; language.</source>
        <translation>以指定语言（%1）显示界面，而不使用设置中的语言。</translation>
    </message>
    <message>
        <source>CODE</source>
        <translation>语言代码</translation>
    </message>
    <message>
        <source>Generate images on your own computer with Z-Image-Turbo. Images given on the command line are opened and their generation parameters restored.</source>
        <translation>使用 Z-Image-Turbo 在本机生成图像。命令行中给出的图像会被打开，并恢复其生成参数。</translation>
    </message>
    <message>
        <source>PNG images made by Z-Image Studio to open.</source>
        <translation>要打开的、由 Z-Image Studio 生成的 PNG 图像。</translation>
    </message>
    <message>
        <source>[IMAGE...]</source>
        <translation>[图像...]</translation>
    </message>
    <message>
        <source>There is no translation for language &quot;%1&quot;. Use one of: %2.</source>
        <translation>没有语言“%1”的翻译。可用的语言：%2。</translation>
    </message>
    <message>
        <source>zimage-studio: %1
Run &quot;zimage-studio --help&quot; to see the options.
</source>
        <translation>zimage-studio：%1
运行“zimage-studio --help”查看所有选项。
</translation>
    </message>
</context>
<context>
    <name>zimage::ui::EngineWorker</name>
    <message>
        <source>The model was not found or is incomplete</source>
        <translation>未找到模型或模型不完整</translation>
    </message>
    <message>
        <source>The device is not available</source>
        <translation>设备不可用</translation>
    </message>
    <message>
        <source>Not enough memory to load the model</source>
        <translation>内存不足，无法加载模型</translation>
    </message>
    <message>
        <source>The model could not be opened</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>This is a bug: please report it with the log file.</source>
        <translation>这是程序错误，请附上日志文件报告此问题。</translation>
    </message>
    <message>
        <source>No model is open.</source>
        <translation>尚未打开模型。</translation>
    </message>
    <message>
        <source>Choose the model&apos;s folder in the settings, or wait until it has loaded.</source>
        <translation>请在设置中选择模型文件夹，或等待模型加载完成。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::FirstRunPage</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>%1: the model is here.</source>
        <translation>%1：模型在这里。</translation>
    </message>
    <message>
        <source>%1: does not exist.</source>
        <translation>%1：不存在。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Choose model folder…</source>
        <translation>选择模型文件夹…</translation>
    </message>
    <message>
        <source>Search again</source>
        <translation>重新搜索</translation>
    </message>
    <message>
        <source>Download Z-Image-Turbo to start</source>
        <translation>下载 Z-Image-Turbo 即可开始</translation>
    </message>
    <message>
        <source>Z-Image Studio makes images with the Z-Image-Turbo model, which is about 20 GB. No copy of it was found on this computer.</source>
        <translation>Z-Image Studio 使用 Z-Image-Turbo 模型生成图像，模型大小约 20 GB。在这台电脑上没有找到该模型。</translation>
    </message>
    <message>
        <source>Z-Image Studio looks for the model in:
%1</source>
        <translation>Z-Image Studio 会在以下位置查找模型：
%1</translation>
    </message>
    <message>
        <source>Download it from Hugging Face</source>
        <translation>从 Hugging Face 下载</translation>
    </message>
    <message>
        <source>Run this command in a terminal. The model lands in the Hugging Face cache (%1), where Z-Image Studio finds it by itself.</source>
        <translation>在终端中运行此命令。模型会下载到 Hugging Face 缓存（%1），Z-Image Studio 会自动在那里找到它。</translation>
    </message>
    <message>
        <source>The command comes with the Python package huggingface_hub:</source>
        <translation>该命令由 Python 软件包 huggingface_hub 提供：</translation>
    </message>
    <message>
        <source>Or use the ComfyUI files</source>
        <translation>或使用 ComfyUI 的模型文件</translation>
    </message>
    <message>
        <source>If you use ComfyUI, these files in its folder are enough; choose the ComfyUI folder below:</source>
        <translation>如果你使用 ComfyUI，其文件夹中的以下文件就足够了；请在下方选择 ComfyUI 文件夹：</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>No model was found. Searched:</source>
        <translation>未找到模型。已搜索：</translation>
    </message>
    <message>
        <source>Found a model in “%1”.</source>
        <translation>在“%1”中找到模型。</translation>
    </message>
    <message>
        <source>Checking “%1”…</source>
        <translation>正在检查“%1”…</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
</context>
<context>
    <name>zimage::ui::GalleryFiles</name>
    <message>
        <source>The folder “%1” does not exist.</source>
        <translation>文件夹“%1”不存在。</translation>
    </message>
    <message>
        <source>The folder “%1” cannot be read (permission denied).</source>
        <translation>无法读取文件夹“%1”（权限不足）。</translation>
    </message>
    <message>
        <source>Could not move “%1” to the trash: it no longer exists.</source>
        <translation>无法将“%1”移到回收站：该文件已不存在。</translation>
    </message>
    <message>
        <source>this system has no trash for that folder</source>
        <translation>此系统没有适用于该文件夹的回收站</translation>
    </message>
    <message>
        <source>Could not move “%1” to the trash: %2.</source>
        <translation>无法将“%1”移到回收站：%2。</translation>
    </message>
    <message>
        <source>“%1” is not a PNG file: only PNG images carry generation parameters.</source>
        <translation>“%1”不是 PNG 文件：只有 PNG 图像带有生成参数。</translation>
    </message>
    <message>
        <source>Could not read the parameters of “%1”: %2</source>
        <translation>无法读取“%1”的参数：%2</translation>
    </message>
    <message>
        <source>“%1” carries no generation parameters.</source>
        <translation>“%1”不含生成参数。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::GalleryModel</name>
    <message>
        <source>There is no such image in the gallery.</source>
        <translation>图库中没有这张图像。</translation>
    </message>
    <message>
        <source>%1
%2 · %3</source>
        <translation>%1
%2 · %3</translation>
    </message>
</context>
<context>
    <name>zimage::ui::GalleryPanel</name>
    <message>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
    </message>
    <message numerus="yes">
        <source>Move the %n selected images to the trash?</source>
        <translation>
            <numerusform>要将选中的 %n 张图像移到回收站吗？</numerusform>
        </translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Copy parameters</source>
        <translation>复制参数</translation>
    </message>
    <message>
        <source>Reuse parameters</source>
        <translation>复用参数</translation>
    </message>
    <message>
        <source>Thumbnail size</source>
        <translation>缩略图大小</translation>
    </message>
    <message>
        <source>%1
The gallery shows the folder as soon as it can be read.</source>
        <translation>%1
文件夹可以读取后，图库会立即显示其内容。</translation>
    </message>
    <message>
        <source>No output folder is set.</source>
        <translation>尚未设置输出文件夹。</translation>
    </message>
    <message>
        <source>Looking for images in %1…</source>
        <translation>正在 %1 中查找图像…</translation>
    </message>
    <message>
        <source>No images yet. Generated images are saved to %1.</source>
        <translation>还没有图像。生成的图像将保存到 %1。</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 张图像</numerusform>
        </translation>
    </message>
    <message>
        <source>Copied the image&apos;s parameters.</source>
        <translation>已复制图像的参数。</translation>
    </message>
    <message numerus="yes">
        <source>Moved %n image(s) to the trash.</source>
        <translation>
            <numerusform>已将 %n 张图像移到回收站。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n images could not be moved to the trash. The first: %1</source>
        <translation>
            <numerusform>%n 张图像无法移到回收站。第一张：%1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>zimage::ui::GenerationForm</name>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Describe the image: subject, setting, style, light. English or Chinese.</source>
        <translation>描述图像：主体、场景、风格、光线。可用中文或英文。</translation>
    </message>
    <message>
        <source>Prompt problem</source>
        <translation>提示词问题</translation>
    </message>
    <message>
        <source>&amp;Prompt</source>
        <translation>提示词(&amp;P)</translation>
    </message>
    <message>
        <source>What the image should not show.</source>
        <translation>图像中不应出现的内容。</translation>
    </message>
    <message>
        <source>Negative prompt note</source>
        <translation>反向提示词说明</translation>
    </message>
    <message>
        <source>&amp;Negative prompt</source>
        <translation>反向提示词(&amp;N)</translation>
    </message>
    <message>
        <source>Drawn on Generate</source>
        <translation>生成时随机抽取</translation>
    </message>
    <message>
        <source>A whole number from 0 to %1. The same seed and settings give the same image; image 2 of a batch uses the seed plus 1, and so on.</source>
        <translation>0 到 %1 之间的整数。相同的种子和设置会生成相同的图像；同一批次中第 2 张图像使用种子加 1，依此类推。</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Draw a new seed for every generation and show it here.</source>
        <translation>每次生成时抽取新的种子，并显示在这里。</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Use the seed in the field for every generation.</source>
        <translation>每次生成都使用输入框中的种子。</translation>
    </message>
    <message>
        <source>Reuse last</source>
        <translation>沿用上次</translation>
    </message>
    <message>
        <source>No generation has run yet.</source>
        <translation>尚未进行过生成。</translation>
    </message>
    <message>
        <source>Seed problem</source>
        <translation>种子问题</translation>
    </message>
    <message>
        <source>Denoising steps. Z-Image-Turbo is made for 8.</source>
        <translation>去噪步数。Z-Image-Turbo 专为 8 步设计。</translation>
    </message>
    <message>
        <source>Steps problem</source>
        <translation>步数问题</translation>
    </message>
    <message>
        <source>%1 × %2 (%3:%4)</source>
        <translation>%1 × %2（%3:%4）</translation>
    </message>
    <message>
        <source>Custom size</source>
        <translation>自定义尺寸</translation>
    </message>
    <message>
        <source>Pixels, a multiple of 16 from %1 to %2.</source>
        <translation>像素，%1 到 %2 之间 16 的倍数。</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>Swap width and height</source>
        <translation>交换宽度和高度</translation>
    </message>
    <message>
        <source>Swap width and height (portrait or landscape).</source>
        <translation>交换宽度和高度（竖版或横版）。</translation>
    </message>
    <message>
        <source>Size note</source>
        <translation>尺寸说明</translation>
    </message>
    <message>
        <source>Size problem</source>
        <translation>尺寸问题</translation>
    </message>
    <message>
        <source>Guidance hint</source>
        <translation>引导系数提示</translation>
    </message>
    <message>
        <source>0 for Turbo. Above 0 also runs the negative prompt, which takes twice as long.</source>
        <translation>Turbo 模型用 0。大于 0 时还会运行反向提示词，耗时加倍。</translation>
    </message>
    <message>
        <source>Guidance problem</source>
        <translation>引导系数问题</translation>
    </message>
    <message>
        <source>How many images one Generate makes.</source>
        <translation>每次点击“生成”产生的图像数量。</translation>
    </message>
    <message>
        <source>Batch note</source>
        <translation>批量说明</translation>
    </message>
    <message>
        <source>Batch count problem</source>
        <translation>批量数量问题</translation>
    </message>
    <message>
        <source>S&amp;eed</source>
        <translation>种子(&amp;E)</translation>
    </message>
    <message>
        <source>S&amp;teps</source>
        <translation>步数(&amp;T)</translation>
    </message>
    <message>
        <source>Si&amp;ze</source>
        <translation>尺寸(&amp;Z)</translation>
    </message>
    <message>
        <source>&amp;Batch count</source>
        <translation>批量数量(&amp;B)</translation>
    </message>
    <message>
        <source>Restored settings note</source>
        <translation>已恢复设置说明</translation>
    </message>
    <message>
        <source>Use my settings</source>
        <translation>使用我的设置</translation>
    </message>
    <message>
        <source>Generate with the noise source and schedule of your settings instead of the restored ones.</source>
        <translation>使用你设置中的噪声来源和调度生成，而不使用恢复的参数。</translation>
    </message>
    <message>
        <source>Request problem</source>
        <translation>请求问题</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running generation (%1).</source>
        <translation>停止正在进行的生成（%1）。</translation>
    </message>
    <message>
        <source>Use seed %1 of the last generation and lock it.</source>
        <translation>使用上次生成的种子 %1 并锁定。</translation>
    </message>
    <message>
        <source>Enter a prompt.</source>
        <translation>请输入提示词。</translation>
    </message>
    <message>
        <source>Enter a number of steps from %1 to %2.</source>
        <translation>请输入 %1 到 %2 之间的步数。</translation>
    </message>
    <message>
        <source>Enter a width from %1 to %2 pixels.</source>
        <translation>请输入 %1 到 %2 像素之间的宽度。</translation>
    </message>
    <message>
        <source>Enter a height from %1 to %2 pixels.</source>
        <translation>请输入 %1 到 %2 像素之间的高度。</translation>
    </message>
    <message>
        <source>Enter a guidance from 0 to %1.</source>
        <translation>请输入 0 到 %1 之间的引导系数。</translation>
    </message>
    <message>
        <source>Enter a batch count from 1 to %1.</source>
        <translation>请输入 1 到 %1 之间的批量数量。</translation>
    </message>
    <message>
        <source>Enter a seed, or choose Random.</source>
        <translation>请输入种子，或选择“随机”。</translation>
    </message>
    <message>
        <source>“%1” is not a seed: enter a whole number from 0 to %2.</source>
        <translation>“%1”不是有效的种子：请输入 0 到 %2 之间的整数。</translation>
    </message>
    <message>
        <source>%1 is larger than the largest seed, %2.</source>
        <translation>%1 超过了最大种子值 %2。</translation>
    </message>
    <message>
        <source>Width %1 is not a multiple of 16: it will be generated at %2 × %3.</source>
        <translation>宽度 %1 不是 16 的倍数：将按 %2 × %3 生成。</translation>
    </message>
    <message>
        <source>Height %1 is not a multiple of 16: it will be generated at %2 × %3.</source>
        <translation>高度 %1 不是 16 的倍数：将按 %2 × %3 生成。</translation>
    </message>
    <message>
        <source>The images use seeds %1 to %2.</source>
        <translation>这些图像使用种子 %1 到 %2。</translation>
    </message>
    <message>
        <source>Uses %1 noise like the restored image, not %2 noise from your settings: the same seed gives a different image with each.</source>
        <translation>与恢复的图像一样使用 %1 噪声，而不是你设置中的 %2 噪声：同一种子在两者下生成的图像不同。</translation>
    </message>
    <message>
        <source>Width %1 was changed to %2: sides must be multiples of 16 for the model.</source>
        <translation>宽度 %1 已改为 %2：模型要求边长为 16 的倍数。</translation>
    </message>
    <message>
        <source>Height %1 was changed to %2: sides must be multiples of 16 for the model.</source>
        <translation>高度 %1 已改为 %2：模型要求边长为 16 的倍数。</translation>
    </message>
    <message>
        <source>Used only when guidance is above 0; Z-Image-Turbo runs without guidance.</source>
        <translation>仅在引导系数大于 0 时使用；Z-Image-Turbo 默认不使用引导。</translation>
    </message>
    <message>
        <source>Enter a seed</source>
        <translation>输入种子</translation>
    </message>
    <message>
        <source>Generate (%1).</source>
        <translation>生成（%1）。</translation>
    </message>
    <message>
        <source>Generate (%1) after fixing this:
%2</source>
        <translation>请先修正以下问题再生成（%1）：
%2</translation>
    </message>
    <message>
        <source>%1 class, about %2 megapixels</source>
        <translation>%1 级，约 %2 百万像素</translation>
    </message>
    <message>
        <source>G&amp;uidance</source>
        <translation>引导系数(&amp;U)</translation>
    </message>
    <message>
        <source>Model note</source>
        <translation>模型说明</translation>
    </message>
    <message>
        <source>Image 2 uses the seed plus 1, image 3 the seed plus 2, and so on.</source>
        <translation>第 2 张图像使用种子加 1，第 3 张使用种子加 2，依此类推。</translation>
    </message>
    <message>
        <source>Uses the restored image&apos;s own sigma schedule, so Steps has no effect.</source>
        <translation>使用恢复图像自带的 sigma 调度，因此“步数”不起作用。</translation>
    </message>
    <message>
        <source>Generate becomes available once the model has loaded.</source>
        <translation>模型加载完成后即可生成。</translation>
    </message>
    <message>
        <source>The restored image used %1 steps; Steps allows at most %2.</source>
        <translation>恢复的图像使用了 %1 步，而“步数”最多允许 %2。</translation>
    </message>
    <message>
        <source>The restored guidance %1 is above the maximum of %2 here.</source>
        <translation>恢复的引导系数 %1 超过了此处的最大值 %2。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::HistoryModel</name>
    <message>
        <source>%1
Seed %2 · %3</source>
        <translation>%1
种子 %2 · %3</translation>
    </message>
</context>
<context>
    <name>zimage::ui::HistoryPanel</name>
    <message>
        <source>(no prompt)</source>
        <translation>（无提示词）</translation>
    </message>
    <message numerus="yes">
        <source>Seed %1 · %2 × %3 · %n step(s)</source>
        <translation>
            <numerusform>种子 %1 · %2 × %3 · %n 步</numerusform>
        </translation>
    </message>
    <message>
        <source>Image file missing</source>
        <translation>图像文件缺失</translation>
    </message>
    <message>
        <source>Reproduce</source>
        <translation>复现</translation>
    </message>
    <message>
        <source>Restore every parameter of this image in the form</source>
        <translation>将这张图像的全部参数恢复到表单中</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Generate this image again with the same parameters and seed</source>
        <translation>使用相同的参数和种子再次生成这张图像</translation>
    </message>
    <message>
        <source>Open image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Copy seed</source>
        <translation>复制种子</translation>
    </message>
    <message>
        <source>Copy prompt</source>
        <translation>复制提示词</translation>
    </message>
    <message>
        <source>Remove from history</source>
        <translation>从历史记录中删除</translation>
    </message>
    <message>
        <source>Remove this entry from the history; the image file stays</source>
        <translation>从历史记录中删除此条目；图像文件会保留</translation>
    </message>
    <message>
        <source>Search prompts, a seed, or a date (YYYY-MM-DD)</source>
        <translation>搜索提示词、种子或日期（YYYY-MM-DD）</translation>
    </message>
    <message>
        <source>The history is not available. %1</source>
        <translation>历史记录不可用。%1</translation>
    </message>
    <message>
        <source>No images generated yet. Each image you generate is recorded here with its parameters.</source>
        <translation>还没有生成过图像。生成的每张图像都会连同参数记录在这里。</translation>
    </message>
    <message>
        <source>Nothing in the history matches “%1”.</source>
        <translation>历史记录中没有与“%1”匹配的内容。</translation>
    </message>
    <message>
        <source>The image file no longer exists.</source>
        <translation>图像文件已不存在。</translation>
    </message>
    <message>
        <source>Open the image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>The image file “%1” no longer exists.</source>
        <translation>图像文件“%1”已不存在。</translation>
    </message>
    <message>
        <source>Copied the seed %1.</source>
        <translation>已复制种子 %1。</translation>
    </message>
    <message>
        <source>Copied the prompt.</source>
        <translation>已复制提示词。</translation>
    </message>
    <message>
        <source>Removed the entry from the history. The image file stays where it is.</source>
        <translation>已从历史记录中删除该条目。图像文件仍保留在原处。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::HistoryStore</name>
    <message>
        <source>Cannot create the data folder %1. Check that the folders above it exist and are writable, or choose another data folder.</source>
        <translation>无法创建数据文件夹 %1。请检查其上级文件夹是否存在且可写，或选择其他数据文件夹。</translation>
    </message>
    <message>
        <source>The history cannot be saved: the data folder %1 is not writable. Give your user write permission on it, or choose another data folder.</source>
        <translation>无法保存历史记录：数据文件夹 %1 不可写。请为当前用户授予写入权限，或选择其他数据文件夹。</translation>
    </message>
    <message>
        <source>Qt&apos;s SQLite driver is missing, so the history cannot be kept. Install the package libqt6sql6-sqlite.</source>
        <translation>缺少 Qt 的 SQLite 驱动，无法保存历史记录。请安装软件包 libqt6sql6-sqlite。</translation>
    </message>
    <message>
        <source>%1 cannot be read as a history database (%2). Move the file aside or delete it; an empty history is then started.</source>
        <translation>无法将 %1 作为历史记录数据库读取（%2）。请移走或删除该文件，之后将开始新的空白历史记录。</translation>
    </message>
    <message>
        <source>The history %1 was written by a newer Z-Image Studio (schema %2; this version reads up to %3). Update Z-Image Studio, or move the file aside to start a new history.</source>
        <translation>历史记录 %1 由更新版本的 Z-Image Studio 写入（架构版本 %2；本版本最高支持 %3）。请更新 Z-Image Studio，或移走该文件以开始新的历史记录。</translation>
    </message>
    <message>
        <source>The history %1 could not be updated to the current format (%2). Check that the disk is not full, or move the file aside to start a new history.</source>
        <translation>无法将历史记录 %1 更新为当前格式（%2）。请检查磁盘是否已满，或移走该文件以开始新的历史记录。</translation>
    </message>
    <message>
        <source>The history is not open.</source>
        <translation>历史记录未打开。</translation>
    </message>
    <message>
        <source>The image could not be recorded in the history %1 (%2). Check that the disk is not full.</source>
        <translation>无法将图像记录到历史记录 %1 中（%2）。请检查磁盘是否已满。</translation>
    </message>
    <message>
        <source>The history could not be read (%1).</source>
        <translation>无法读取历史记录（%1）。</translation>
    </message>
    <message>
        <source>The history could not be searched (%1).</source>
        <translation>无法搜索历史记录（%1）。</translation>
    </message>
    <message>
        <source>The entry could not be removed from the history (%1).</source>
        <translation>无法从历史记录中删除该条目（%1）。</translation>
    </message>
    <message>
        <source>There is no history entry %1; it may have been removed already.</source>
        <translation>不存在历史记录条目 %1，可能已被删除。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::ImageSaver</name>
    <message>
        <source>Could not create the output folder “%1”. Choose a folder you can write to in Settings; the image is still shown and can be saved with Save As.</source>
        <translation>无法创建输出文件夹“%1”。请在“设置”中选择可写入的文件夹；图像仍会显示，可以用“另存为”保存。</translation>
    </message>
    <message>
        <source>Could not save the image: %1. Choose another output folder in Settings or free some disk space, then use Save As; the image is still shown.</source>
        <translation>无法保存图像：%1。请在“设置”中选择其他输出文件夹或释放磁盘空间，然后使用“另存为”；图像仍会显示。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::ImageViewer</name>
    <message>
        <source>Cannot read “%1”: %2</source>
        <translation>无法读取“%1”：%2</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一张</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一张</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Actual size</source>
        <translation>实际大小</translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation>复制图像</translation>
    </message>
    <message>
        <source>Copy parameters</source>
        <translation>复制参数</translation>
    </message>
    <message>
        <source>Reuse parameters</source>
        <translation>复用参数</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Prompt:</source>
        <translation>提示词：</translation>
    </message>
    <message>
        <source>Negative prompt:</source>
        <translation>反向提示词：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>种子：</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>步数：</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <source>Guidance:</source>
        <translation>引导系数：</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>There are no images in the gallery.</source>
        <translation>图库中还没有图像。</translation>
    </message>
    <message>
        <source>Reading the parameters…</source>
        <translation>正在读取参数…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>%1 (explicit schedule)</source>
        <translation>%1（自定义调度）</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>%1
%2 · %3</source>
        <translation>%1
%2 · %3</translation>
    </message>
    <message>
        <source>Image viewer</source>
        <translation>图像查看器</translation>
    </message>
    <message>
        <source>%1 (%2 of %3)</source>
        <translation>%1（第 %2 张，共 %3 张）</translation>
    </message>
    <message>
        <source>Copied the image.</source>
        <translation>已复制图像。</translation>
    </message>
    <message>
        <source>The parameters are still being read.</source>
        <translation>仍在读取参数。</translation>
    </message>
    <message>
        <source>Copied the parameters of “%1”.</source>
        <translation>已复制“%1”的参数。</translation>
    </message>
    <message>
        <source>The parameters of “%1” are in the form.</source>
        <translation>“%1”的参数已填入表单。</translation>
    </message>
    <message>
        <source>Moved “%1” to the trash.</source>
        <translation>已将“%1”移到回收站。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::MainWindow</name>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Reading the prompt…</source>
        <translation>正在解析提示词…</translation>
    </message>
    <message>
        <source>Denoising…</source>
        <translation>正在去噪…</translation>
    </message>
    <message>
        <source>Decoding the image…</source>
        <translation>正在解码图像…</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Z-Image Studio</source>
        <translation>Z-Image Studio</translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>The history is not available</source>
        <translation>历史记录不可用</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创作</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Image…</source>
        <translation>打开图像(&amp;O)…</translation>
    </message>
    <message>
        <source>Restore the parameters stored in an image</source>
        <translation>恢复图像中保存的参数</translation>
    </message>
    <message>
        <source>Save Image &amp;As…</source>
        <translation>图像另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation>创作(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Gallery</source>
        <translation>图库(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>历史记录(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Z-Image Studio</source>
        <translation>关于 Z-Image Studio(&amp;A)</translation>
    </message>
    <message>
        <source>Looking for the model…</source>
        <translation>正在查找模型…</translation>
    </message>
    <message>
        <source>Loading the model from %1…</source>
        <translation>正在从 %1 加载模型…</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>The model is ready.</source>
        <translation>模型已就绪。</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>没有模型</translation>
    </message>
    <message>
        <source>Choose the model&apos;s folder in File › Settings.</source>
        <translation>请在“文件 › 设置”中选择模型文件夹。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>The memory settings were not applied</source>
        <translation>显存设置未能应用</translation>
    </message>
    <message>
        <source>Change them in File › Settings.</source>
        <translation>请在“文件 › 设置”中修改。</translation>
    </message>
    <message>
        <source>The model is not ready</source>
        <translation>模型尚未就绪</translation>
    </message>
    <message>
        <source>Wait until the model has loaded, or choose its folder in File › Settings.</source>
        <translation>请等待模型加载完成，或在“文件 › 设置”中选择模型文件夹。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>The image was not saved</source>
        <translation>图像未保存</translation>
    </message>
    <message>
        <source>The image was saved but not added to the history</source>
        <translation>图像已保存，但未加入历史记录</translation>
    </message>
    <message>
        <source>Made on a different device or precision</source>
        <translation>使用了不同的设备或精度</translation>
    </message>
    <message>
        <source>The original was made with %1 on %2; this one with %3 on %4, so the pixels can differ slightly.</source>
        <translation>原图使用 %1 在 %2 上生成，本图使用 %3 在 %4 上生成，因此像素可能略有差异。</translation>
    </message>
    <message>
        <source>Finished; nothing was saved.</source>
        <translation>已完成，但没有保存任何图像。</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n image(s) to %1.</source>
        <translation>
            <numerusform>已将 %n 张图像保存到 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>The settings of this image are not valid</source>
        <translation>这张图像的设置无效</translation>
    </message>
    <message>
        <source>Not enough memory, even with a smaller memory plan</source>
        <translation>内存不足，即使改用更省内存的方案也不够</translation>
    </message>
    <message>
        <source>The model files could not be used</source>
        <translation>无法使用模型文件</translation>
    </message>
    <message>
        <source>The device failed</source>
        <translation>设备出错</translation>
    </message>
    <message>
        <source>The image could not be generated</source>
        <translation>无法生成图像</translation>
    </message>
    <message>
        <source>Parameters restored from the history (seed %1).</source>
        <translation>已从历史记录恢复参数（种子 %1）。</translation>
    </message>
    <message>
        <source>Wait for the running generation to finish, or cancel it.</source>
        <translation>请等待当前生成完成，或将其取消。</translation>
    </message>
    <message>
        <source>No parameters restored</source>
        <translation>未恢复任何参数</translation>
    </message>
    <message>
        <source>Sampler: %1 (Z-Image-Turbo always uses its Euler flow sampler)</source>
        <translation>采样器：%1（Z-Image-Turbo 始终使用其 Euler 流匹配采样器）</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Not restored: %1</source>
        <translation>未恢复：%1</translation>
    </message>
    <message>
        <source>Parameters restored from %1.</source>
        <translation>已从 %1 恢复参数。</translation>
    </message>
    <message>
        <source>Parameters restored from %1 (its “parameters” text).</source>
        <translation>已从 %1 恢复参数（来自其“parameters”文本）。</translation>
    </message>
    <message>
        <source>Also in the file:</source>
        <translation>文件中还包含：</translation>
    </message>
    <message>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.webp)</translation>
    </message>
    <message>
        <source>The language changes when Z-Image Studio is started again.</source>
        <translation>重新启动 Z-Image Studio 后语言才会更改。</translation>
    </message>
    <message>
        <source>About Z-Image Studio</source>
        <translation>关于 Z-Image Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Z-Image Studio %1&lt;/h3&gt;&lt;p&gt;Generate images on your own computer with Z-Image-Turbo.&lt;/p&gt;&lt;p&gt;Images, settings and history stay on this computer. The history and the generation log are in %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Z-Image Studio %1&lt;/h3&gt;&lt;p&gt;使用 Z-Image-Turbo 在本机生成图像。&lt;/p&gt;&lt;p&gt;图像、设置和历史记录都只保存在这台电脑上。历史记录和生成日志位于 %2。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Could not open %1.</source>
        <translation>无法打开 %1。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::MemoryStatusWidget</name>
    <message>
        <source>text encoder resident</source>
        <translation>文本编码器常驻</translation>
    </message>
    <message>
        <source>text encoder on the GPU only while encoding</source>
        <translation>文本编码器仅在编码时位于 GPU</translation>
    </message>
    <message>
        <source>text encoder streamed (%1 of %2 layers resident)</source>
        <translation>文本编码器流式加载（%2 层中 %1 层常驻）</translation>
    </message>
    <message>
        <source>text encoder on the CPU</source>
        <translation>文本编码器在 CPU 上</translation>
    </message>
    <message>
        <source>DiT resident</source>
        <translation>DiT 常驻</translation>
    </message>
    <message>
        <source>DiT on the GPU only while denoising</source>
        <translation>DiT 仅在去噪时位于 GPU</translation>
    </message>
    <message>
        <source>DiT streamed (%1 of %2 blocks resident)</source>
        <translation>DiT 流式加载（%2 个块中 %1 个常驻）</translation>
    </message>
    <message>
        <source>DiT on the CPU</source>
        <translation>DiT 在 CPU 上</translation>
    </message>
    <message>
        <source>VAE tiled %1 px</source>
        <translation>VAE 分块 %1 像素</translation>
    </message>
    <message>
        <source>VAE whole image</source>
        <translation>VAE 整图解码</translation>
    </message>
    <message>
        <source>NVML, the figures nvidia-smi shows</source>
        <translation>NVML（与 nvidia-smi 显示的数值一致）</translation>
    </message>
    <message>
        <source>the CUDA runtime</source>
        <translation>CUDA 运行时</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <source>Plan: %1, %2, %3</source>
        <translation>方案：%1，%2，%3</translation>
    </message>
    <message>
        <source>Last job: %1, %2, %3</source>
        <translation>上次任务：%1，%2，%3</translation>
    </message>
    <message>
        <source>Reading memory figures…</source>
        <translation>正在读取内存数据…</translation>
    </message>
    <message>
        <source>GPU %1 / %2 GiB · app %3 GiB (peak %4) · RAM %5 / %6 GiB</source>
        <translation>显存 %1 / %2 GiB · 本应用 %3 GiB（峰值 %4）· 内存 %5 / %6 GiB</translation>
    </message>
    <message>
        <source>No GPU: running on the CPU · RAM %1 / %2 GiB</source>
        <translation>无 GPU：在 CPU 上运行 · 内存 %1 / %2 GiB</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>CUDA device</source>
        <translation>CUDA 设备</translation>
    </message>
    <message>
        <source>Device memory (whole device, all processes): %1 GiB used of %2 GiB, %3 GiB free</source>
        <translation>显存（整张显卡，所有进程）：已用 %1 GiB，共 %2 GiB，空闲 %3 GiB</translation>
    </message>
    <message>
        <source>Measured by %1.</source>
        <translation>数据来源：%1。</translation>
    </message>
    <message>
        <source>This app&apos;s tensors: %1 GiB now, peak %2 GiB since the job began</source>
        <translation>本应用的张量：当前 %1 GiB，本次任务开始以来峰值 %2 GiB</translation>
    </message>
    <message>
        <source>Reserved by this app&apos;s allocator (tensors and cache): %1 GiB, peak %2 GiB</source>
        <translation>本应用分配器保留（张量和缓存）：%1 GiB，峰值 %2 GiB</translation>
    </message>
    <message>
        <source>No CUDA GPU is available: the model runs on the CPU, in host memory.</source>
        <translation>没有可用的 CUDA GPU：模型在 CPU 上运行，使用主机内存。</translation>
    </message>
    <message>
        <source>This app in host memory: %1 GiB, peak %2 GiB</source>
        <translation>本应用占用主机内存：%1 GiB，峰值 %2 GiB</translation>
    </message>
    <message>
        <source>Host memory: %1 GiB used of %2 GiB, %3 GiB available</source>
        <translation>主机内存：已用 %1 GiB，共 %2 GiB，可用 %3 GiB</translation>
    </message>
    <message>
        <source>Memory budget %1 GiB, estimated peak %2 GiB</source>
        <translation>显存预算 %1 GiB，预计峰值 %2 GiB</translation>
    </message>
</context>
<context>
    <name>zimage::ui::ResultView</name>
    <message>
        <source>Copy Image</source>
        <translation>复制图像</translation>
    </message>
    <message>
        <source>Copy Parameters</source>
        <translation>复制参数</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Your image appears here.
Type a prompt and press Generate (Ctrl+Enter).</source>
        <translation>生成的图像将显示在这里。
输入提示词，然后点击“生成”（Ctrl+Enter）。</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Step %v of %m</source>
        <translation>第 %v / %m 步</translation>
    </message>
    <message numerus="yes">
        <source>Generating %n images…</source>
        <translation>
            <numerusform>正在生成 %n 张图像…</numerusform>
        </translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Preview · step %1 of %2</source>
        <translation>预览 · 第 %1 / %2 步</translation>
    </message>
    <message>
        <source>%1 s elapsed · about %2 s left</source>
        <translation>已用 %1 秒 · 约剩 %2 秒</translation>
    </message>
    <message>
        <source>%1 s elapsed</source>
        <translation>已用 %1 秒</translation>
    </message>
    <message>
        <source>Finished with a warning</source>
        <translation>已完成，但有警告</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>The generation was cancelled; nothing was saved.</source>
        <translation>生成已取消，未保存任何图像。</translation>
    </message>
    <message>
        <source>Seed %1 · %2 steps · %3 × %4 · guidance %5</source>
        <translation>种子 %1 · %2 步 · %3 × %4 · 引导系数 %5</translation>
    </message>
    <message>
        <source>%1 s on %2 (%3)</source>
        <translation>%1 秒，%2（%3）</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Image copied to the clipboard.</source>
        <translation>图像已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Parameters copied to the clipboard.</source>
        <translation>参数已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Save Image As</source>
        <translation>图像另存为</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>已保存 %1。</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
</context>
<context>
    <name>zimage::ui::RevealInFileManager</name>
    <message>
        <source>“%1” no longer exists.</source>
        <translation>“%1”已不存在。</translation>
    </message>
    <message>
        <source>Could not open the file manager to show “%1”.</source>
        <translation>无法打开文件管理器来显示“%1”。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Device &amp;&amp; memory</source>
        <translation>设备与显存</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <source>Z-Image Studio needs the Z-Image-Turbo model. Leave the folder empty to find it automatically in the Hugging Face cache and the usual ComfyUI folders.</source>
        <translation>Z-Image Studio 需要 Z-Image-Turbo 模型。文件夹留空时，将自动在 Hugging Face 缓存和常见的 ComfyUI 文件夹中查找。</translation>
    </message>
    <message>
        <source>Automatic: search the usual places</source>
        <translation>自动：在常见位置查找</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>检测</translation>
    </message>
    <message>
        <source>Search the Hugging Face cache and the usual ComfyUI folders for the model.</source>
        <translation>在 Hugging Face 缓存和常见的 ComfyUI 文件夹中查找模型。</translation>
    </message>
    <message>
        <source>Automatic (the GPU when there is one)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <source>CPU (slow)</source>
        <translation>CPU（较慢）</translation>
    </message>
    <message>
        <source>Automatic (bfloat16 on the GPU, float32 on the CPU)</source>
        <translation>自动（GPU 上用 bfloat16，CPU 上用 float32）</translation>
    </message>
    <message>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <source>float16 (GPUs older than Ampere)</source>
        <translation>float16（Ampere 之前的 GPU）</translation>
    </message>
    <message>
        <source>float32 (twice the memory)</source>
        <translation>float32（占用两倍内存）</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source> GiB</source>
        <translation> GiB</translation>
    </message>
    <message>
        <source>The GPU memory the engine may use. Automatic: the memory free when a job starts, less a safety margin.</source>
        <translation>引擎可使用的显存。自动：任务开始时的空闲显存减去安全余量。</translation>
    </message>
    <message>
        <source>Automatic (when the image would not fit)</source>
        <translation>自动（图像放不下时）</translation>
    </message>
    <message>
        <source>Always</source>
        <translation>始终</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source>The side of a decoded tile in image pixels, a multiple of 64 from %1 to %2. Automatic: picked from the memory budget.</source>
        <translation>解码分块的边长（图像像素），%1 到 %2 之间 64 的倍数。自动：根据显存预算选择。</translation>
    </message>
    <message>
        <source>A new device or precision takes effect when the model is loaded again; memory settings apply from the next image.</source>
        <translation>更改设备或精度后，需重新加载模型才会生效；显存设置从下一张图像开始生效。</translation>
    </message>
    <message>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Precision:</source>
        <translation>精度(&amp;P)：</translation>
    </message>
    <message>
        <source>GPU memory &amp;budget:</source>
        <translation>显存预算(&amp;B)：</translation>
    </message>
    <message>
        <source>VAE &amp;tiling:</source>
        <translation>VAE 分块(&amp;T)：</translation>
    </message>
    <message>
        <source>Tile si&amp;ze:</source>
        <translation>分块大小(&amp;Z)：</translation>
    </message>
    <message>
        <source>CPU (ComfyUI-compatible)</source>
        <translation>CPU（与 ComfyUI 兼容）</translation>
    </message>
    <message>
        <source>GPU (diffusers-compatible)</source>
        <translation>GPU（与 diffusers 兼容）</translation>
    </message>
    <message>
        <source>CPU: same seeds as ComfyUI · GPU: same seeds as the diffusers examples; the same seed gives different images in the two.</source>
        <translation>CPU：种子与 ComfyUI 一致 · GPU：种子与 diffusers 示例一致；同一种子在两者下生成的图像不同。</translation>
    </message>
    <message>
        <source>&amp;Noise source:</source>
        <translation>噪声来源(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Output folder:</source>
        <translation>输出文件夹(&amp;O)：</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>A new language takes effect the next time Z-Image Studio starts.</source>
        <translation>新的语言将在下次启动 Z-Image Studio 时生效。</translation>
    </message>
    <message>
        <source>Show a live &amp;preview of the image while it is generated</source>
        <translation>生成时显示图像的实时预览(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation>选择输出文件夹</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <source>Found automatically: a %1 model in “%2”.</source>
        <translation>已自动找到：“%2”中的 %1 模型。</translation>
    </message>
    <message>
        <source>Found a %1 model in “%2”.</source>
        <translation>在“%2”中找到 %1 模型。</translation>
    </message>
    <message>
        <source>No model was found in the usual places.</source>
        <translation>在常见位置未找到模型。</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>No model found. Searched: %1</source>
        <translation>未找到模型。已搜索：%1</translation>
    </message>
    <message numerus="yes">
        <source>Found %n model(s); click one to use it.</source>
        <translation>
            <numerusform>找到 %n 个模型，点击其中一个即可使用。</numerusform>
        </translation>
    </message>
    <message>
        <source>ComfyUI split-file</source>
        <translation>ComfyUI 分离文件</translation>
    </message>
    <message>
        <source>diffusers</source>
        <translation>diffusers</translation>
    </message>
    <message>
        <source>Choose a folder for the images.</source>
        <translation>请选择保存图像的文件夹。</translation>
    </message>
    <message>
        <source>Give the full path of the folder, for example %1.</source>
        <translation>请填写文件夹的完整路径，例如 %1。</translation>
    </message>
    <message>
        <source>“%1” is a file, not a folder.</source>
        <translation>“%1”是文件，不是文件夹。</translation>
    </message>
    <message>
        <source>Images are saved in this folder.</source>
        <translation>图像将保存在此文件夹中。</translation>
    </message>
    <message>
        <source>Images cannot be saved in “%1”: %2</source>
        <translation>无法在“%1”中保存图像：%2</translation>
    </message>
    <message>
        <source>“%1” cannot be created: “%2” is not a folder.</source>
        <translation>无法创建“%1”：“%2”不是文件夹。</translation>
    </message>
    <message>
        <source>“%1” cannot be created: “%2” is not writable.</source>
        <translation>无法创建“%1”：“%2”不可写。</translation>
    </message>
    <message>
        <source>The folder does not exist yet; it is created when the first image is saved.</source>
        <translation>该文件夹尚不存在，保存第一张图像时会自动创建。</translation>
    </message>
</context>
<context>
    <name>zimage::ui::SparklineWidget</name>
    <message>
        <source>Last minute: lowest %1, highest %2, now %3</source>
        <translation>最近一分钟：最低 %1，最高 %2，当前 %3</translation>
    </message>
    <message numerus="yes">
        <source>Last %n second(s): lowest %1, highest %2, now %3</source>
        <translation>
            <numerusform>最近 %n 秒：最低 %1，最高 %2，当前 %3</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>zimage::ui::ThumbnailCache</name>
    <message>
        <source>Cannot read “%1”: %2.</source>
        <translation>无法读取“%1”：%2。</translation>
    </message>
</context>
</TS>
