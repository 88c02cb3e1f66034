"""Makes pretrained_mlp.pt for the pytorch-weights example: an nn.Sequential MLP trained by PyTorch on
y = tanh(x @ A) with x of 8 features and y of 4, saved as a plain state_dict (keys 0.weight, 0.bias, 2.weight, 2.bias).
Run with Debian's python3-torch from this directory: /usr/bin/python3 make_pretrained.py
"""
import torch
import torch.nn as nn

torch.manual_seed(7)
A = torch.randn(8, 4)
x = torch.randn(512, 8)
y = torch.tanh(x @ A)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(300):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
print("pretraining loss", float(loss))
torch.save(model.state_dict(), "pretrained_mlp.pt")
torch.save({"A": A}, "task.pt")   # the task, so that Java can make data from the same function
